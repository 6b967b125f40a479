"""Forms for browsing and editing the catalogue. They validate input; the rules live in services."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms

from credo.catalogue.models import EvidenceKind, Framework, GroupKind, Level, Qualification, QualificationKind, Unit
from credo.catalogue.services import CriterionSpec, OutcomeSpec


class SearchForm(forms.Form):
    q = forms.CharField(label="Search by code or title", required=False, max_length=100)
    framework = forms.ModelChoiceField(
        Framework.objects.all(), required=False, empty_label="All frameworks", to_field_name="code"
    )
    kind = forms.ChoiceField(choices=[("", "All types"), *QualificationKind.choices], required=False)


class _CodedEntryForm(forms.ModelForm[Any]):
    """A qualification or unit: its code is checked by its framework's rules, its level must be
    one of that framework's, and once it exists its code and framework never change."""

    #: The framework's check for this kind of code: qualification numbers or unit references.
    code_rule: ClassVar[Callable[[Framework, str], str | None]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        assert isinstance(level, forms.ModelChoiceField)
        level.queryset = Level.objects.select_related("framework")
        if self.instance.pk:
            del self.fields["code"]
            del self.fields["framework"]
            level.queryset = Level.objects.filter(framework=self.instance.framework)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        framework = data.get("framework") or getattr(self.instance, "framework", None)
        code = data.get("code")
        if framework and code and (problem := type(self).code_rule(framework, code)):
            self.add_error("code", problem)
        level = data.get("level")
        if framework and level and level.framework_id != framework.pk:
            self.add_error("level", f"{level} is not a level of {framework}.")
        return data

    def validate_unique(self) -> None:
        """The service checks that a code is free, and says so in words (it knows about versions)."""


class QualificationForm(_CodedEntryForm):
    class Meta:
        model = Qualification
        fields = (
            "code",
            "title",
            "kind",
            "framework",
            "level",
            "level_note",
            "summary",
            "guided_learning_hours",
            "total_qualification_time",
            "credits",
        )
        help_texts = {"code": "An Ofqual number such as 603/1939/2 for RQF; your own code for other frameworks."}

    code_rule = Framework.qualification_code_problem


class UnitForm(_CodedEntryForm):
    class Meta:
        model = Unit
        fields = ("code", "title", "framework", "level", "credits", "guided_learning_hours")
        help_texts = {"code": "An Ofqual unit reference number such as Y/615/8308 for RQF."}

    code_rule = Framework.unit_code_problem


class RuleGroupForm(forms.Form):
    name = forms.CharField(max_length=200, initial="Mandatory units")
    kind = forms.ChoiceField(choices=GroupKind.choices)
    min_units = forms.IntegerField(min_value=1, required=False, label="Minimum number of units")
    min_credits = forms.IntegerField(min_value=1, required=False, label="Minimum credits")


class AddUnitForm(forms.Form):
    unit_code = forms.CharField(label="Unit reference number", max_length=40)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units

    def clean_unit_code(self) -> Unit:
        code = self.cleaned_data["unit_code"].strip().upper()
        unit = self.units.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(f"No unit {code} in the catalogue that you can use. Create the unit first.")
        return unit


_OUTCOME_LINE = re.compile(r"^(\d+)[.)]\s+(.+)$")
_CRITERION_LINE = re.compile(r"^(\d+\.\d+)\s+(.+)$")


def parse_outcomes(text: str, *, is_sample: bool) -> list[OutcomeSpec]:
    """Read outcomes and criteria written the way specifications print them:

    1. Understand the purpose of community organising
       1.1 Describe what community organising is
    """
    outcomes: list[OutcomeSpec] = []
    pending: list[tuple[int, str, list[CriterionSpec]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if criterion := _CRITERION_LINE.match(line):
            if not pending:
                raise forms.ValidationError(f"Line {number}: criterion {criterion.group(1)} comes before any outcome.")
            prefix = criterion.group(1).split(".")[0]
            if int(prefix) != pending[-1][0]:
                raise forms.ValidationError(
                    f"Line {number}: criterion {criterion.group(1)} is listed under outcome {pending[-1][0]}."
                )
            pending[-1][2].append(CriterionSpec(criterion.group(1), criterion.group(2).strip(), is_sample))
        elif outcome := _OUTCOME_LINE.match(line):
            pending.append((int(outcome.group(1)), outcome.group(2).strip(), []))
        else:
            raise forms.ValidationError(
                f"Line {number} is neither an outcome (“1. …”) nor a criterion (“1.1 …”): {line[:60]}"
            )
    for outcome_number, outcome_text, criteria in pending:
        outcomes.append(OutcomeSpec(outcome_number, outcome_text, is_sample, tuple(criteria)))
    return outcomes


def format_outcomes(unit: Unit) -> str:
    lines: list[str] = []
    for outcome in unit.outcomes.prefetch_related("criteria"):
        lines.append(f"{outcome.number}. {outcome.text}")
        lines.extend(f"   {c.number} {c.text}" for c in outcome.criteria.all())
    return "\n".join(lines)


class OutcomesForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        label="Learning outcomes and assessment criteria",
        help_text="One per line: “1. outcome”, then its criteria indented as “1.1 criterion”.",
    )
    is_sample = forms.BooleanField(
        required=False, label="These are samples (written as examples, not taken from the specification)"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "text" in data:
            data["outcomes"] = parse_outcomes(data["text"], is_sample=bool(data.get("is_sample")))
        return data


class CompetenciesForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        label="Competencies",
        help_text="One per line: a title, optionally followed by “: ” and a description.",
    )

    def clean_text(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.cleaned_data["text"].splitlines():
            if line.strip():
                title, _, description = line.partition(":")
                pairs.append((title.strip(), description.strip()))
        if not pairs:
            raise forms.ValidationError("List at least one competency.")
        return pairs


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ProgressionForm(forms.Form):
    unit = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Units you have achieved"
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(u.code, f"{u.code} {u.title}") for u in units]


# Portfolio templates ------------------------------------------------------------------------------


class TemplateIntroductionForm(forms.Form):
    introduction = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Introduction",
        help_text="What the portfolio is for and how learners should go about it.",
    )


class TemplateSectionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Section title")
    guidance = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Guidance for learners",
    )
    min_words = forms.IntegerField(min_value=1, required=False, label="Suggested length: at least (words)")
    max_words = forms.IntegerField(min_value=1, required=False, label="Suggested length: at most (words)")


class MoveSectionForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class EvidenceRequirementForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceKind.choices, label="Kind of evidence")
    description = forms.CharField(max_length=300, label="What the learner must give")
    min_count = forms.IntegerField(min_value=1, max_value=32767, initial=1, label="How many, at least")
    attestor_relationship = forms.CharField(
        max_length=200,
        required=False,
        label="Who attests",
        help_text="For an attestation only: who writes it, e.g. “a participant”. Leave blank for other kinds.",
    )
