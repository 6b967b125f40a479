"""Forms for moderation, outcomes and appeals: they validate input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from credo.accounts.models import Role, User


class PlanForm(forms.Form):
    percent = forms.IntegerField(
        label="Percentage of the rest to sample at random",
        min_value=0,
        max_value=100,
        help_text="Every 'not yet competent' is always sampled, and each assessor, unit and method is covered.",
    )
    new_assessor_decisions = forms.IntegerField(
        label="Decisions of each new assessor to sample",
        min_value=0,
        max_value=100,
        help_text="Each assessor's first decisions are all sampled.",
    )
    whole_centre = forms.BooleanField(
        label="Use this plan for every cohort of the centre that has no plan of its own", required=False
    )


class DrawForm(forms.Form):
    seed = forms.CharField(
        label="Seed (optional)",
        max_length=64,
        required=False,
        help_text="Leave empty for a random seed. The same seed and the same assessments give the same sample.",
    )


class ModerateForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label="Your decision",
        choices=[("yes", "Agree with the assessment"), ("no", "Refer it back to the assessor")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        help_text="Needed when you refer it back: the assessor acts on it.",
    )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label="Why you are appealing",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text="Say what you believe was not assessed fairly or correctly, and why.",
    )


class DecideAppealForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="Your decision",
        choices=[("yes", "Uphold: the work is assessed again"), ("no", "Do not uphold: the outcome stands")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label="Your reasons, to the learner", widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    assessor = forms.ModelChoiceField(
        label="Assessor who assesses the work again",
        queryset=User.objects.none(),
        required=False,
        help_text="Needed when you uphold it: not the assessor who made the decision.",
    )

    def __init__(self, *args: Any, provider: Any, exclude: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(memberships__organisation=provider, memberships__role=Role.ASSESSOR)
            .exclude(pk=exclude)
            .order_by("full_name", "email")
        )
        # People choose by name, not by email address.
        field.label_from_instance = lambda obj: str(obj.full_name or obj.email)  # type: ignore[method-assign]
