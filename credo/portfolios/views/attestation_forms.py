"""The forms of the attestation pages: they take input; the rules are the service's (services.attestations)."""

from __future__ import annotations

from typing import Any

from django import forms

from credo.portfolios.models import AttestationState, PortfolioSection
from credo.portfolios.services import attestations


class RequestForm(forms.Form):
    """The learner asks someone for one of the section's attestations."""

    requirement = forms.TypedChoiceField(
        label="Which attestation you are asking for",
        coerce=int,
        empty_value=None,
        error_messages={"required": "Choose which attestation you are asking for."},
    )
    attestor_name = forms.CharField(
        label="Their name",
        max_length=attestations.NAME_MAX,
        error_messages={"required": "Enter the name of the person you are asking."},
    )
    attestor_email = forms.CharField(
        label="Their email address",
        error_messages={"required": "Enter their email address: the link goes there."},
        max_length=254,
        help_text="The link to write the attestation goes here: it is for them only.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    relationship = forms.ChoiceField(
        label="How they know your work",
        choices=list(attestations.RELATIONSHIPS.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how this person knows your work.",
            "invalid_choice": "Choose one of the relationships this attestation accepts.",
        },
    )
    message = forms.CharField(
        label="Your message to them (optional)",
        required=False,
        max_length=attestations.MESSAGE_MAX,
        help_text="It goes in the email, as you write it. Say what you would like them to speak to.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, section: PortfolioSection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = attestations.attestation_requirements(section)
        field = self.fields["requirement"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (index, f"{requirement.get('description')} (from {requirement.get('attestor_relationship') or 'anyone'})")
            for index, requirement in asked
        ]
        if len(asked) == 1:
            # Only one to choose: it is chosen, and the page says which; only the relationships it accepts are offered.
            field.widget = forms.HiddenInput()
            field.initial = asked[0][0]
            allowed = attestations.allowed_relationships(asked[0][1])
            relationship = self.fields["relationship"]
            assert isinstance(relationship, forms.ChoiceField)
            relationship.choices = [(key, attestations.RELATIONSHIPS[key]) for key in allowed]
        else:
            field.widget = forms.RadioSelect(choices=field.choices)

    def clean_attestor_email(self) -> str:
        # Checked here too, so that a bad address is reported with the form's other problems, not after them.
        email = " ".join(str(self.cleaned_data.get("attestor_email", "")).split()).lower()
        if problem := attestations.email_problem(email):
            raise forms.ValidationError(problem)
        return email


class AttestForm(forms.Form):
    """The attestor confirms who they are, how they know the learner, writes, and declares it true."""

    attestor_name = forms.CharField(
        label="Your name", max_length=attestations.NAME_MAX, error_messages={"required": "Enter your name."}
    )
    attestor_role = forms.CharField(
        label="Your role or organisation (optional)", required=False, max_length=attestations.NAME_MAX
    )
    relationship = forms.CharField(
        label="How you know them and their work",
        max_length=attestations.RELATIONSHIP_TEXT_MAX,
        error_messages={"required": "Say how you know them and their work."},
        help_text="For example: “I took part in the hui she facilitated in May” or “I manage his team”.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    statement = forms.CharField(
        label="Your attestation",
        required=False,
        max_length=attestations.STATEMENT_MAX,
        help_text="What you saw of their work, in your own words.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    declared_true = forms.BooleanField(
        label="I declare that what I have written is true", label_suffix="", required=False
    )
    copy_requested = forms.BooleanField(label="Email me a copy of my attestation", label_suffix="", required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why you are declining (optional)",
        required=False,
        max_length=attestations.REASON_MAX,
        help_text="The person who asked you will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StateFilterForm(forms.Form):
    """The list of requests, filtered by state (read from the address, so a filtered list can be bookmarked)."""

    state = forms.ChoiceField(label="Show", required=False, choices=[("", "All requests"), *AttestationState.choices])
