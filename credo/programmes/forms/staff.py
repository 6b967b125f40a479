"""Forms for the staff area: they check the shape of the input; the services hold the rules."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from credo.core.csvfiles import CsvError, decode
from credo.programmes.models import Cohort, SupportKind

#: A roster larger than this is not a roster (and would sit in the session between upload and confirm). An upload
#: over it is refused before it is stored (``credo.core.uploads.bounded_upload``).
ROSTER_MAX_BYTES = 512 * 1024
ONE_DAY = datetime.timedelta(days=1)


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (2024-03-20), whatever the site's display format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PaymentForm(forms.Form):
    """The day is the recording person's own (``invoices.date_zone``): the hint names that zone, and it starts at
    their today."""

    paid_on = forms.DateField(label="Paid on", widget=DateInput)
    reference = forms.CharField(
        label="Payment reference", max_length=120, required=False, help_text="e.g. the bank statement reference"
    )

    def __init__(self, *args: Any, zone_name: str, own_zone: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("paid_on", timezone.localdate(timezone.now(), ZoneInfo(zone_name)))
        super().__init__(*args, **kwargs)
        whose = "your time" if own_zone else "the cohort's time"
        self.fields["paid_on"].help_text = f"The day the money arrived. Date in {whose}, {zone_name}."
        self.zone_name = zone_name


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept on record.")


class CancelBookingForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent to the learner and the facilitator, and kept on record.",
    )


class StartStudyForm(forms.Form):
    """The number of confirmed learners the admin saw on the button: study starts only if it is still right."""

    expected = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DeferForm(forms.Form):
    to = forms.ModelChoiceField(label="Defer to", queryset=Cohort.objects.none(), empty_label="Choose a cohort")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        # Cohorts that have not finished (a day's grace for zones ahead of UTC; the service checks exactly).
        field.queryset = (
            Cohort.objects.filter(programme=cohort.programme, study_ends__gte=timezone.localdate() - ONE_DAY)
            .exclude(pk=cohort.pk)
            .order_by("study_starts")
        )


class SupportDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note to the learner", widget=forms.Textarea(attrs={"rows": 2}))
    reduced_amount = forms.DecimalField(
        label="Reduced fee, before tax", required=False, min_value=0, decimal_places=2, help_text="For a reduced fee."
    )
    instalments = forms.IntegerField(label="Instalments", required=False, help_text="For a payment plan: 2 to 12.")

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self) -> dict[str, Any]:
        """What an approval of this kind needs before its confirmation page can say what it will do (the service
        checks the amounts themselves)."""
        data = super().clean() or {}
        if data.get("decision") == "approve":
            if self.kind == SupportKind.REDUCED_FEE and data.get("reduced_amount") is None:
                self.add_error("reduced_amount", "Give the reduced fee, before tax.")
            if self.kind == SupportKind.PAYMENT_PLAN and not data.get("instalments"):
                self.add_error("instalments", "Give the number of instalments, from 2 to 12.")
        return data


class ExtendRegistrationForm(forms.Form):
    """A day of the cohort's calendar (registration closes at the end of that day where the cohort is), not the
    admin's own: the hint names the zone."""

    new_closing_day = forms.DateField(label="New closing date", widget=DateInput)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept on record.")

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "new_closing_day"
        ].help_text = (
            f"Date in the cohort's time, {cohort.time_zone}: registration stays open to the end of that day there."
        )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster (CSV)",
        help_text="Columns: email, full_name, organisation_name, organisation_type, and optionally "
        "invoice_to_organisation (yes or no).",
    )

    file_name = ""

    def clean_file(self) -> str:
        """The file as text (``credo.core.csvfiles.decode``: UTF-8, a byte-order mark or not, not too large).

        The view stores uploads with a bounded handler, so an oversized file was never written anywhere: its
        ``size`` still counts every byte sent, and is refused here.
        """
        upload = self.cleaned_data["file"]
        self.file_name = str(upload.name or "")[:200]
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {ROSTER_MAX_BYTES // 1024} KB; split it up.")
        try:
            return decode(upload.read(ROSTER_MAX_BYTES + 1), max_bytes=ROSTER_MAX_BYTES)
        except CsvError as error:
            raise forms.ValidationError(error.messages) from None
