"""Forms of the claims pages: choosing learners to claim, the EQA's review, and the awarding body's list filters.
They validate input; the services in ``services.claims`` and ``services.eqa`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from credo.accounts.models import Organisation
from credo.assessment.models import Assessment, ClaimState, RiskRating
from credo.assessment.services.eqa import FINDINGS_MAX
from credo.core.forms import add_service_errors


class LearnerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assessment: Assessment = obj
        learner = assessment.learner
        return f"{learner.full_name or learner.email} ({learner.email}): {assessment.cohort.programme.qualification}"


class ClaimLearnersForm(forms.Form):
    """The claimable outcomes to put on a claim (a new one, or one the centre is revising)."""

    assessments = LearnerChoice(
        label="Learners to claim for",
        help_text="Each learner's released, moderated, competent outcome. Their units are claimed, and the "
        "qualification too when its rules of combination are met.",
        queryset=Assessment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one learner to claim for."},
    )

    def __init__(self, *args: Any, claimable: QuerySet[Assessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = claimable

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


DECISIONS = [("release", "Release the claim for certification"), ("block", "Block the claim: the centre must act")]


class ReviewForm(forms.Form):
    """The external quality assurer's review of a claim."""

    sampled = LearnerChoice(
        label="Portfolios you sampled",
        help_text="The learners whose portfolios you read (open each from the list above).",
        queryset=Assessment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    findings = forms.CharField(
        label="Findings",
        help_text="What you read, and what you found: it is sent to the centre.",
        max_length=FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    actions = forms.CharField(
        label="Actions for the centre",
        help_text="What the centre must do (needed when you block the claim).",
        max_length=FINDINGS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    risk = forms.ChoiceField(label="The centre's risk rating", choices=RiskRating.choices, widget=forms.RadioSelect)
    decision = forms.ChoiceField(label="Your decision", choices=DECISIONS, widget=forms.RadioSelect)

    def __init__(self, *args: Any, portfolios: QuerySet[Assessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sampled"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = portfolios

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


RECEIVED_STATES = [(state.value, state.label) for state in ClaimState if state != ClaimState.DRAFT]


class ClaimFilterForm(forms.Form):
    """Read from the address (GET): which received claims to list."""

    state = forms.ChoiceField(label="State", choices=[("", "Any"), *RECEIVED_STATES], required=False)
    centre = forms.ChoiceField(label="Centre", choices=[("", "Any")], required=False)

    def __init__(self, *args: Any, centres: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["centre"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any"), *((c.slug, c.name) for c in centres)]

    def chosen(self) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return {"state": str(data.get("state", "")), "centre": str(data.get("centre", ""))}


class CentreFilterForm(forms.Form):
    state = forms.ChoiceField(label="State", choices=[("", "Any"), *ClaimState.choices], required=False)

    def chosen(self) -> str:
        return str(self.cleaned_data.get("state", "")) if self.is_valid() else ""
