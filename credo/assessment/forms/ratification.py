"""Forms of the ratification pages: the batch list's filters and the reason for returning a learner."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from credo.assessment.models import BatchState
from credo.assessment.services.ratification import REASON_MAX
from credo.core.forms import add_service_errors


class BatchFilterForm(forms.Form):
    """Read from the address (GET): which batches to list."""

    state = forms.ChoiceField(label="State", choices=[("", "Any"), *BatchState.choices], required=False)
    provider = forms.ChoiceField(label="Provider", choices=[("", "Any")], required=False)

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ChoiceField)
        provider.choices = [("", "Any"), *providers]

    def chosen(self) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return {"state": str(data.get("state", "")), "provider": str(data.get("provider", ""))}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why are you returning it?",
        help_text=f"Up to {REASON_MAX:,} characters. The provider reads this to put it right and may send it again "
        "in a later batch; the learner is told that their award needs another look, not your words.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)
