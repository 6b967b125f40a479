"""Forms for check-ins: they check the shape of input; the rules (notice, allowance, overlaps) are the service's."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from credo.accounts.zones import zone_label
from credo.programmes.services.cohorts import local_moment


class SlotForm(forms.Form):
    """A time a facilitator offers, as a wall-clock time in the cohort's zone."""

    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="In the cohort's time zone.")
    starts_at = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}))
    meeting_url = forms.URLField(
        label="Meeting link", required=False, assume_scheme="https", help_text="The video call learners join."
    )

    def __init__(self, *args: Any, zone_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if zone_name:  # the facilitator may live elsewhere: name the zone the day and times are read in
            hint = f"The day and times are in the cohort's time zone: {zone_label(zone_name)}."
            self.fields["day"].help_text = hint

    def moments(self, zone_name: str) -> tuple[datetime.datetime, datetime.datetime]:
        """Start and end as moments; call after ``is_valid()``."""
        day = self.cleaned_data["day"]
        return (
            local_moment(day, self.cleaned_data["starts_at"], zone_name),
            local_moment(day, self.cleaned_data["ends_at"], zone_name),
        )


class ChooseSlotForm(forms.Form):
    slot = forms.IntegerField(min_value=1, error_messages={"required": "Choose a time."})


class NotesForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=10000,
        help_text="Seen by the cohort's facilitators and programme admins only, never by the learner.",
    )
