"""Forms of the staff pages: the cohort's progress filters and a formative comment. They validate; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from credo.core.forms import add_service_errors
from credo.portfolios.services.comments import COMMENT_MAX
from credo.portfolios.services.progress import Stage

SEARCH_MAX = 100


class ProgressFilterForm(forms.Form):
    """Read from the address (GET): which learners to list."""

    stage = forms.ChoiceField(label="Progress", choices=[("", "Everyone"), *Stage.choices], required=False)
    q = forms.CharField(label="Name or email", required=False, max_length=SEARCH_MAX, strip=True)

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q", "")).replace("\x00", "")

    def chosen(self) -> dict[str, str]:
        """The filters to apply: those that were valid (a bad one is shown as a problem and ignored)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return {"stage": str(data.get("stage", "")), "search": str(data.get("q", ""))}


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        help_text=f"Plain text, up to {COMMENT_MAX:,} characters. The learner reads it beside this section and is told "
        "by email. It is there to help them; it is not an assessment decision.",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)
