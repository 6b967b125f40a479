from __future__ import annotations

from typing import Any

from allauth.account.forms import (
    AddEmailForm,
    ChangePasswordForm,
    LoginForm,
    ReauthenticateForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SetPasswordForm,
    SignupForm,
)
from django import forms

from credo.accounts.invitations import normalise_email
from credo.accounts.models import Role
from credo.accounts.zones import ZoneField

#: What the password validators ask, said once in words (allauth's hint is an HTML list of four sentences).
STRONG_ENOUGH = "At least 10 characters. Not a common password, not only numbers, and not like your email address."


def _plain(form: forms.Form, fields: dict[str, tuple[str, str]]) -> None:
    """Our labels and hints on allauth's fields, without its placeholders (a hint that vanishes as one types)."""
    for name, (label, hint) in fields.items():
        if name in form.fields:
            field = form.fields[name]
            field.label, field.help_text = label, hint
            field.widget.attrs.pop("placeholder", None)


class SignInForm(LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"login": ("Email address", ""), "password": ("Password", ""),
                      "remember": ("Keep me signed in on this device", "")})  # fmt: skip


class SignUpForm(SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"email": ("Email address", "You sign in with it; we send a link to confirm it is yours."),
                      "password1": ("Choose a password", STRONG_ENOUGH),
                      "password2": ("Type the password again", "")})  # fmt: skip


class ForgottenPasswordForm(ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"email": ("Email address", "")})


class ChoosePasswordForm(ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"password1": ("Choose a password", STRONG_ENOUGH), "password2": ("Type it again", "")})


class AnotherEmailForm(AddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"email": ("Another email address", "We send a link to confirm it is yours.")})


class NewPasswordForm(ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"oldpassword": ("Your current password", ""),
                      "password1": ("Choose a new password", STRONG_ENOUGH),
                      "password2": ("Type it again", "")})  # fmt: skip


class FirstPasswordForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"password1": ("Choose a password", STRONG_ENOUGH), "password2": ("Type it again", "")})


class ConfirmPasswordForm(ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"password": ("Your password", "To make sure it is you before this change.")})


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="If they have no credo account yet, we email them an invitation to make one.",
    )
    full_name = forms.CharField(
        label="Their full name", max_length=200, required=False, help_text="Needed only to invite someone new."
    )
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["email"]) from None


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        max_length=200, help_text="As it should appear on invoices and credentials.", label="Your full name"
    )
    time_zone = ZoneField(
        required=False,
        label="Your time zone",
        help_text="Type your city or country. Workshop and check-in times are also shown in this zone; "
        "leave it empty to use your organisation's.",
    )
