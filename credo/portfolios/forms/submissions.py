"""The declaration a learner accepts to submit, and the new deadline staff give."""

from __future__ import annotations

from typing import Any

from django import forms

from credo.accounts.zones import zone_label
from credo.portfolios.services.submissions import REASON_MAX


class SubmitForm(forms.Form):
    declaration_accepted = forms.BooleanField(
        label="I confirm the declaration above",
        error_messages={"required": "Tick the box to confirm the declaration that this work is your own."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # a sentence the learner agrees to, not a field name
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (2024-03-20), whatever the site's display format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ExtensionForm(forms.Form):
    """A day of the cohort's calendar: the learner has until the end of that day where the cohort is."""

    new_deadline = forms.DateField(
        label="New deadline", widget=DateInput, error_messages={"invalid": "Enter a date, such as 2024-09-14."}
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on record, with your name.",
        error_messages={"required": "Say why the learner is given more time; the record keeps it."},
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "new_deadline"
        ].help_text = (
            f"A date in the cohort's time ({zone_label(zone)}): the learner can submit until the end of that day there."
        )
