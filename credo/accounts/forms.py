from __future__ import annotations

import zoneinfo

from django import forms

from credo.accounts.models import Role, User


class AddMemberForm(forms.Form):
    email = forms.EmailField(help_text="They need a credo account already; ask them to sign up first.")
    role = forms.ChoiceField(choices=Role.choices)

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"No credo account uses {email}. Ask them to sign up, then add them.")
        return user


def _zone_choices() -> list[tuple[str, str]]:
    return [("", "Use my organisation's time zone"), *((name, name.replace("_", " ")) for name in sorted(
        zoneinfo.available_timezones() - {"Factory", "localtime"}
    ))]  # fmt: skip


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        max_length=200, help_text="As it should appear on invoices and credentials.", label="Your full name"
    )
    time_zone = forms.ChoiceField(
        choices=_zone_choices,
        required=False,
        label="Your time zone",
        help_text="Workshop and check-in times are also shown in this zone.",
        widget=forms.Select(attrs={"data-guess-zone": ""}),  # credo.js offers the browser's zone when empty
    )
