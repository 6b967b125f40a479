"""Forms for a programme's page: its sections, testimonials, information sessions, sign-ups and resources.

They validate what was typed; the rules (consent before publishing, a link or a file) are in ``services.pages``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from credo.accounts.zones import ZoneField
from credo.programmes.models import Programme, ResourceKind, Session
from credo.programmes.services.pages import InformationSessionDetails

_TEXT = {"rows": 5}


class ProgrammePageForm(forms.Form):
    support_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        label="What support can I expect: anything else the fee includes",
        help_text="The check-ins, workshops and their topics, email support and assessment are listed for you "
        "from the cohort's set-up; add what credo cannot know, e.g. an assessment fee paid to the issuer. "
        "One item a line.",
    )
    practical_experience = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        label="What practical experience will I need",
    )
    cost_barrier = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        label="If cost is a barrier",
        help_text="The page already says that registered learners can ask for a reduced fee, a payment plan or a "
        "letter for a grant application; add your own advice.",
    )


class TestimonialForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs=_TEXT), label="The graduate's words")
    graduate_name = forms.CharField(max_length=200, label="Name to show", help_text="As the graduate chose.")
    graduate_detail = forms.CharField(
        max_length=200, required=False, label="About them", help_text="e.g. 2022 graduate"
    )
    consent = forms.BooleanField(required=False, label="The graduate agreed to publish these words under this name")
    consent_how = forms.CharField(
        max_length=300,
        required=False,
        label="How they agreed",
        help_text="e.g. 'email of 3 March 2024'. Without their agreement the words are kept but never shown.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent") and not (data.get("consent_how") or "").strip():
            self.add_error("consent_how", "Say how the graduate agreed, so the record shows it.")
        if not data.get("consent") and (data.get("consent_how") or "").strip():
            self.add_error("consent", "Tick this if the graduate agreed, or leave 'How they agreed' empty.")
        return data


class ConsentForm(forms.Form):
    how = forms.CharField(max_length=300, label="How they agreed", help_text="e.g. 'email of 3 March 2024'")


class InformationSessionForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Information session")
    hosts = forms.CharField(max_length=200, required=False, label="Held by", help_text="e.g. our facilitators")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Starts at")
    ends = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Ends at")
    # The same field as the cohort form's and the profile's: zones chosen by place, old names understood.
    time_zone = ZoneField(help_text="Type a city or country. The day and times above are in this zone.")
    meeting_url = forms.URLField(
        required=False, assume_scheme="https", label="Online meeting link", help_text="Emailed to who signs up only."
    )
    recording_url = forms.URLField(
        required=False, assume_scheme="https", label="Recording link", help_text="For a session already held."
    )

    def details(self) -> InformationSessionDetails:
        data = self.cleaned_data
        return InformationSessionDetails(
            title=data["title"],
            hosts=data.get("hosts") or "",
            day=data["day"],
            starts=data["starts"],
            ends=data["ends"],
            time_zone=data["time_zone"].strip(),
            meeting_url=data.get("meeting_url") or "",
            recording_url=data.get("recording_url") or "",
        )


class RecordingForm(forms.Form):
    recording_url = forms.URLField(
        required=False, assume_scheme="https", label="Recording link", help_text="Leave empty to take it off."
    )


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(label="Your email address", help_text="The joining link is sent here.")


class WorkshopChoiceField(forms.ModelChoiceField[Session]):
    def label_from_instance(self, obj: Session) -> str:
        return f"{obj.cohort.name}, workshop {obj.number}: {obj.topic}"


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(choices=ResourceKind.choices, label="What it is")
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    link = forms.URLField(required=False, assume_scheme="https", help_text="A link, or upload a file below.")
    upload = forms.FileField(required=False, label="File", help_text="Up to 25 MB; only enrolled learners can open it.")
    workshop = WorkshopChoiceField(
        queryset=Session.objects.none(),
        required=False,
        empty_label="The whole programme",
        label="For",
        help_text="A workshop's slides and recording go with that workshop.",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["workshop"]
        assert isinstance(field, WorkshopChoiceField)
        field.queryset = (
            Session.objects.filter(cohort__programme=programme).select_related("cohort").order_by("-starts_at")
        )


class ResourceFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ResourceKind.choices], required=False, label="Show")


class TestimonialFilterForm(forms.Form):
    __test__ = False  # not a pytest test class, whatever its name

    shown = forms.ChoiceField(
        choices=[("", "All"), ("published", "On the page"), ("waiting", "Waiting for consent"),
                 ("withdrawn", "Withdrawn")],
        required=False,
        label="Show",
    )  # fmt: skip


class SessionFilterForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("", "All"), ("upcoming", "Upcoming"), ("past", "Past")], required=False, label="Show"
    )


class SignUpFilterForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Name or email")


def chosen(form: forms.Form, name: str) -> str:
    """A filter's value when the form is valid; '' (no filter) otherwise."""
    return str(form.cleaned_data.get(name) or "") if form.is_valid() else ""


def query_of(form: forms.Form) -> str:
    """The filters to keep when moving between pages: 'kind=tool&' (or '')."""
    if not form.is_valid():
        return ""
    kept = {name: value for name, value in form.cleaned_data.items() if value}
    return f"{urlencode(kept)}&" if kept else ""
