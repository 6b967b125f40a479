"""The pipeline list's filters, read from the address (GET): which cohorts to show. Nothing changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from credo.accounts.models import Organisation
from credo.programmes.models import Programme

SEARCH_MAX = 100


class PipelineFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.none(), required=False, empty_label="Every programme"
    )
    q = forms.CharField(label="Cohort or programme name", required=False, max_length=SEARCH_MAX, strip=True)

    def __init__(self, *args: Any, providers: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Programme.objects.filter(provider__in=list(providers))
            .select_related("provider")
            .order_by("provider__name", "name")
        )

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q", "")).replace("\x00", "")

    def chosen(self) -> dict[str, Any]:
        """The filters to apply: those that were valid (a bad one is shown as a problem and ignored)."""
        data: dict[str, Any] = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"programme": data.get("programme"), "search": str(data.get("q") or "")}
