"""Forms for workshops: a session's details (in the cohort's zone) and a cancellation's reason."""

from __future__ import annotations

from typing import Any

from django import forms

from credo.programmes.models import Session
from credo.programmes.services.cohorts import zone
from credo.programmes.services.workshops import SessionDetails


class SessionForm(forms.Form):
    number = forms.IntegerField(min_value=1, max_value=99, help_text="Workshop 1, 2, 3…; once per cohort.")
    topic = forms.CharField(max_length=300, help_text="Learners see it on the sessions page and in their calendar.")
    # Browsers' date and time inputs read and write ISO values, whatever the page's locale.
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Starts at")
    ends = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Ends at")
    meeting_url = forms.URLField(
        required=False, assume_scheme="https", label="Online meeting link", help_text="Shown to the cohort only."
    )
    venue = forms.CharField(max_length=300, required=False, help_text="For a session in person.")

    def __init__(self, *args: Any, time_zone: str, with_number: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("day", "starts", "ends"):
            self.fields[name].help_text = f"In {time_zone} time."
        if not with_number:
            del self.fields["number"]

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, Any]:
        starts = session.starts_at.astimezone(zone(session.cohort.time_zone))
        ends = session.ends_at.astimezone(zone(session.cohort.time_zone))
        return {"topic": session.topic, "day": starts.date(), "starts": starts.time(), "ends": ends.time(),
                "meeting_url": session.meeting_url, "venue": session.venue}  # fmt: skip

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            topic=data["topic"],
            day=data["day"],
            starts=data["starts"],
            ends=data["ends"],
            meeting_url=data.get("meeting_url") or "",
            venue=data.get("venue") or "",
        )


class CancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, help_text="Learners are told it in the cancellation email.")
