"""Forms for issuer staff: the issuer profile, awards, and changes of a credential's status."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from credo.credentials.models import Achievement, DidMethod, Issuer, Route, route_in_words
from credo.credentials.services.awards import AWARD_ROUTES, MAX_BYTES


class IssuerProfileForm(forms.ModelForm):
    # People type "example.org"; the web is https now.
    url = forms.URLField(label="Website", assume_scheme="https", help_text="The organisation's own website.")
    image_url = forms.URLField(
        label="Logo address", assume_scheme="https", required=False, help_text="A logo, as an https:// address."
    )

    class Meta:
        model = Issuer
        fields = ("name", "url", "email", "description", "image_url")


class IssuerSetupForm(IssuerProfileForm):
    did_method = forms.ChoiceField(
        label="How verifiers find your public key",
        choices=DidMethod.choices,
        help_text="did:web needs this site on its own https:// domain; did:key works anywhere.",
    )

    class Meta(IssuerProfileForm.Meta):
        fields = ("name", "url", "email", "description", "image_url")


class AwardForm(forms.Form):
    achievement = forms.ModelChoiceField(queryset=Achievement.objects.none(), empty_label="Choose an achievement")
    email = forms.EmailField(help_text="If they have no account yet, one is made and they are invited to claim it.")
    full_name = forms.CharField(max_length=200, required=False, help_text="Needed when they have no account yet.")
    attained_on = forms.DateField(
        label="Achieved on", widget=forms.DateInput(attrs={"type": "date"}), help_text="When they earned it."
    )
    route = forms.ChoiceField(
        label="How it was earned",
        choices=[(route.value, route_in_words(route)) for route in AWARD_ROUTES],
        initial=Route.DIRECT_AWARD,
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="The decision's reference, if any."
    )

    def __init__(self, *args: Any, issuer: Issuer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["achievement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Achievement.objects.filter(issuer=issuer).order_by("kind", "name")

    def clean_attained_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["attained_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date it was earned cannot be in the future.")
        return day


class BulkAwardForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV: columns email, full_name, achievement, attained_on, and optionally route and note.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="The learner is told this reason, and the credential's page shows it.",
    )


class ValidityForm(forms.Form):
    valid_for_days = forms.IntegerField(
        label="Valid for (days)",
        required=False,
        min_value=1,
        max_value=36_500,
        help_text="How long each credential stays valid, counted from the day it was earned. Empty: no expiry.",
    )
