from __future__ import annotations

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
