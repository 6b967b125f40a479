"""Assessing forms: they validate input and say what to fix; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from credo.accounts.models import Role, User
from credo.assessment.models import AssessmentState, Judgement, Outcome
from credo.assessment.services import assessing
from credo.programmes.models import Cohort

MET_CHOICES = [("met", "Met"), ("not_met", "Not yet met")]


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class _UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.email} ({obj.email})"


def assessors_at(cohort: Cohort) -> QuerySet[User]:
    return (
        User.objects.filter(
            memberships__organisation=cohort.programme.provider, memberships__role=Role.ASSESSOR, is_active=True
        )
        .distinct()
        .order_by("full_name", "email")
    )


class AssessorsForm(forms.Form):
    """Name assessors for a cohort: the provider's people who hold the assessor role."""

    assessors = _UsersChoice(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Assessors for this cohort",
        help_text="Each one sees this cohort's submissions in their queue and can take them.",
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessors"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = assessors_at(cohort).exclude(assessed_cohorts__cohort=cohort)


class AssignForm(forms.Form):
    """Give one submission to one of the cohort's assessors."""

    assessor = _UserChoice(queryset=User.objects.none(), label="Assessor", empty_label="Choose an assessor")

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(assessed_cohorts__cohort=cohort).order_by("full_name", "email")


class SettingsForm(forms.Form):
    facilitators_may_assess_own_learners = forms.BooleanField(
        required=False,
        label="Facilitators may assess the learners whose 1:1 check-ins they held",
        help_text="Leave this unticked unless there is nobody else: it is a conflict of interest.",
    )
    resubmission_days = forms.IntegerField(
        label="Days to resubmit",
        min_value=assessing.DAYS_MIN,
        max_value=assessing.DAYS_MAX,
        help_text="How long a learner has to resubmit once told their work is not yet competent.",
    )
    appeal_days = forms.IntegerField(
        label="Days to appeal",
        min_value=assessing.DAYS_MIN,
        max_value=assessing.DAYS_MAX,
        help_text="How long a learner has to appeal a final outcome.",
    )


class QueueFilterForm(forms.Form):
    """Read from the address (GET): which assessments to list."""

    cohort = forms.ChoiceField(label="Cohort", required=False)
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Every state"), *AssessmentState.choices, ("late", "Late")]
    )

    def __init__(self, *args: Any, cohorts: list[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Every cohort"), *((str(c.public_id), str(c)) for c in cohorts)]

    def chosen(self) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return {"cohort": str(data.get("cohort", "")), "state": str(data.get("state", ""))}


def met_field(position: int) -> str:
    return f"met_{position}"


def comment_field(position: int) -> str:
    return f"comment_{position}"


class JudgementForm(forms.Form):
    """The assessor's judgements (met / not yet met, and a comment, for each), the outcome, the feedback, the
    declaration, and the version the page was drawn from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(
        label="Overall outcome", choices=Outcome.choices, widget=forms.RadioSelect, required=False
    )
    feedback = forms.CharField(
        label="Feedback to the learner",
        required=False,
        max_length=assessing.FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. The learner reads it once the outcome is released: say what was done well, what is "
        "not yet met, and what to do about it.",
    )
    declaration_accepted = forms.BooleanField(required=False, label=assessing.ASSESSOR_DECLARATION)

    def __init__(self, *args: Any, rows: list[Judgement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[met_field(row.position)] = forms.ChoiceField(
                label=row.label, choices=MET_CHOICES, widget=forms.RadioSelect, required=False
            )
            self.fields[comment_field(row.position)] = forms.CharField(
                label=f"Comment on {row.label}",
                required=False,
                max_length=assessing.COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def initial_for(assessment: Any, rows: list[Judgement]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": assessment.version,
            "outcome": assessment.outcome,
            "feedback": assessment.feedback,
        }
        for row in rows:
            initial[met_field(row.position)] = "" if row.met is None else ("met" if row.met else "not_met")
            initial[comment_field(row.position)] = row.comment
        return initial

    def judgements(self) -> assessing.Judgements:
        data = self.cleaned_data
        return {
            row.key: (
                {"met": True, "not_met": False}.get(data.get(met_field(row.position)) or ""),
                data.get(comment_field(row.position)) or "",
            )
            for row in self.rows
        }

    def pairs(self) -> list[tuple[Judgement, forms.BoundField, forms.BoundField]]:
        """Each judgement with its two fields, in order, for the template."""
        return [(row, self[met_field(row.position)], self[comment_field(row.position)]) for row in self.rows]
