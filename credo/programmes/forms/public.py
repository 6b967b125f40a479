"""Forms a learner fills in: registration, study hours, a request for support, a withdrawal.

They check the shape of the input; the services hold the rules (dates, hours, who may).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from credo.accounts.zones import ZoneField
from credo.programmes.intakes import Choices, IntakeFilter, When
from credo.programmes.models import OrganisationType, QuestionKind, RegistrationQuestion, SupportKind
from credo.programmes.services import questions

#: The id of the registration page's terms, which the consent checkbox points to (aria-describedby).
TERMS_ID = "registration-terms"


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="As it should appear on your invoice and, later, on your credential.",
    )
    organisation_name = forms.CharField(
        label="Organisation you work with", max_length=200, help_text="Or 'self-employed'."
    )
    organisation_type = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "Choose one"), *OrganisationType.choices],
        help_text="It sets your fee.",
    )
    terms_accepted = forms.BooleanField(label="I accept the terms of registration", required=False)
    invoice_to_organisation = forms.BooleanField(
        label="Invoice my organisation rather than me", required=False, help_text="The invoice names you as well."
    )
    time_zone = ZoneField(
        label="Your time zone",
        required=False,
        help_text="Type your city or country. Workshop and check-in times are shown in it as well as the cohort's; "
        "it is saved to your profile.",
    )

    def __init__(
        self,
        *args: Any,
        learner: Any = None,
        terms: str = "",
        questions: Sequence[RegistrationQuestion] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self._ask(self.questions)
        if getattr(learner, "full_name", ""):
            del self.fields["full_name"]  # known already; changing it belongs to the account, not a registration
        self.fields["time_zone"].initial = getattr(learner, "time_zone", "")  # credo.js offers the browser's if none
        consent = self.fields["terms_accepted"]
        if terms.strip():
            consent.widget.attrs["aria-describedby"] = TERMS_ID  # the terms shown above the form
        else:
            # No terms written on the programme: what there is to accept is what this page says.
            consent.label = "I accept the fee and the conditions described on this page"

    def _ask(self, asked: list[RegistrationQuestion]) -> None:
        """The programme's own questions, after the organisation and before the consent: none unless it asks."""
        fields = list(self.fields.items())
        at = [name for name, _ in fields].index("terms_accepted")
        added: list[tuple[str, forms.Field]] = []
        for question in asked:
            field: forms.Field
            if question.kind == QuestionKind.STATEMENT:
                # Required by the service, which says why; a browser's own "required" bubble would pre-empt it.
                field = forms.BooleanField(label=question.text, required=False)
            else:
                field = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=questions.MAX_ANSWER,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text="" if question.required else "Optional.",
                )
            added.append((questions.field_name(question), field))
        self.fields = dict(fields[:at] + added + fields[at:])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service's own check, asked here too so that an empty form lists every problem at once, not the
        # questions only after the rest is put right.
        try:
            questions.answers_for(self.questions, self._answers(data))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name, message)
        return data

    def _answers(self, data: dict[str, Any]) -> dict[int, Any]:
        return {question.pk: data.get(questions.field_name(question)) for question in self.questions}

    def registration_fields(self) -> dict[str, Any]:
        """What ``enrolments.register`` takes: the answers by question; the time zone belongs to the profile."""
        asked = {questions.field_name(question): question.pk for question in self.questions}
        fields = {name: value for name, value in self.cleaned_data.items() if name != "time_zone" and name not in asked}
        fields["answers"] = self._answers(self.cleaned_data)
        return fields

    def chosen_zone(self) -> str:
        return str(self.cleaned_data.get("time_zone") or "")


class LogHoursForm(forms.Form):
    # A date input's value must be ISO 8601 whatever the site's display format.
    day = forms.DateField(
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), help_text="The day you studied."
    )
    hours = forms.DecimalField(
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        decimal_places=2,
        step_size=Decimal("0.25"),
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
        help_text="In quarter hours, e.g. 1.5.",
    )
    note = forms.CharField(max_length=300, required=False, help_text="What you worked on (optional).")


class SupportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="What would help", choices=SupportKind.choices, widget=forms.RadioSelect)
    explanation = forms.CharField(
        label="Your situation",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences are enough; only the provider's programme admins read it.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why you are withdrawing", widget=forms.Textarea(attrs={"rows": 3}))


class IntakeFilterForm(forms.Form):
    """The public listing's filters, read from the address (GET): a person can bookmark or share a filtered list."""

    when = forms.ChoiceField(label="Show", choices=When.choices, required=False)
    qualification = forms.ChoiceField(label="Qualification", required=False)
    provider = forms.ChoiceField(label="Provider", required=False)
    level = forms.ChoiceField(label="Level", required=False)
    country = forms.ChoiceField(
        label="Region", required=False, help_text="Where the provider is: the country it is registered in."
    )
    online = forms.BooleanField(label="Only intakes with every workshop online", required=False)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # the labels sit above their lists, and one beside a checkbox
        super().__init__(*args, **kwargs)
        offered = {
            "qualification": (choices.qualifications, "Any qualification"),
            "provider": (choices.providers, "Any provider"),
            "level": (choices.levels, "Any level"),
            "country": (choices.countries, "Anywhere"),
        }
        for name, (options, anything) in offered.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", anything), *options]

    def filters(self) -> IntakeFilter:
        """What was asked for; a value that is not one of the choices is left out (the form says so)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # after cleaning, the fields that were valid
        level = data.get("level") or ""
        return IntakeFilter(
            when=data.get("when") or When.OPEN,
            qualification=data.get("qualification") or "",
            provider=data.get("provider") or "",
            level=int(level) if level else None,
            country=data.get("country") or "",
            online=bool(data.get("online")),
        )
