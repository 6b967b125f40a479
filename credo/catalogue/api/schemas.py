"""What the catalogue endpoints read and write, as documented in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints, field_validator

from credo.api_errors import NUL_FREE
from credo.catalogue.models import (
    EvidenceKind,
    GroupKind,
    Qualification,
    QualificationKind,
)

# Schemas ------------------------------------------------------------------------------------------


class QualificationSummary(Schema):
    code: str
    version: int
    slug: str
    title: str
    kind: str
    status: str
    framework: str
    level: int
    owner: str
    url: str

    @staticmethod
    def of(q: Qualification) -> QualificationSummary:
        return QualificationSummary(
            code=q.code,
            version=q.version,
            slug=q.slug,
            title=q.title,
            kind=q.kind,
            status=q.status,
            framework=q.framework.code,
            level=q.level.number,
            owner=q.owner.slug,
            url=q.get_absolute_url(),
        )


class UnitSummary(Schema):
    code: str
    slug: str
    title: str
    level: int
    credits: int | None
    guided_learning_hours: int | None


class CriterionOut(Schema):
    number: str
    text: str
    sample: bool


class OutcomeOut(Schema):
    number: int
    text: str
    sample: bool
    criteria: list[CriterionOut]


class UnitDetail(UnitSummary):
    framework: str
    owner: str
    outcomes: list[OutcomeOut]


class RuleGroupOut(Schema):
    id: int
    name: str
    kind: str
    min_units: int | None
    min_credits: int | None
    requirement: str
    units: list[UnitSummary]


class CompetencyOut(Schema):
    number: int
    title: str
    description: str
    sample: bool


class RequirementOut(Schema):
    kind: str
    description: str
    min_count: int
    attestor_relationship: str


class SectionOut(Schema):
    position: int
    title: str
    guidance: str
    min_words: int | None
    max_words: int | None
    sample: bool
    requirements: list[RequirementOut]


class TemplateOut(Schema):
    introduction: str
    sections: list[SectionOut]


class QualificationDetail(QualificationSummary):
    summary: str
    level_note: str
    guided_learning_hours: int | None
    total_qualification_time: int | None
    credits: int | None
    updated_at: datetime
    rules: list[RuleGroupOut]
    competencies: list[CompetencyOut]
    portfolio_template: TemplateOut | None


class GroupProgressOut(Schema):
    name: str
    satisfied: bool
    units_short: int
    credits_short: int
    achieved: list[str]
    remaining: list[str]
    shortfall: str


class ProgressOut(Schema):
    qualification: QualificationSummary
    complete: bool
    credits_achieved: int
    credits_short: int
    groups: list[GroupProgressOut]


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class QualificationIn(Schema):
    owner: str
    code: str
    title: str
    kind: QualificationKind
    framework: str
    level: int
    summary: str = ""
    level_note: str = ""
    guided_learning_hours: int | None = None
    total_qualification_time: int | None = None
    credits: int | None = None


class QualificationPatch(Schema):
    title: str | None = None
    kind: QualificationKind | None = None
    level: int | None = None
    summary: str | None = None
    level_note: str | None = None
    guided_learning_hours: int | None = None
    total_qualification_time: int | None = None
    credits: int | None = None


class RuleGroupIn(Schema):
    name: str
    kind: GroupKind
    min_units: int | None = None
    min_credits: int | None = None


class UnitCode(Schema):
    unit_code: str


class WithdrawIn(Schema):
    reason: str


class UnitIn(Schema):
    owner: str
    code: str
    title: str
    framework: str
    level: int
    credits: int | None = None
    guided_learning_hours: int | None = None


class UnitPatch(Schema):
    title: str | None = None
    level: int | None = None
    credits: int | None = Field(None, ge=0, le=1000)
    guided_learning_hours: int | None = Field(None, ge=0, le=100_000)


class CompetencyIn(Schema):
    title: str = Field(max_length=250)
    description: str = ""


class CriterionIn(Schema):
    number: str
    text: str
    sample: bool = False


class OutcomeIn(Schema):
    number: int
    text: str
    sample: bool = False
    criteria: list[CriterionIn] = []


class AchievedUnits(Schema):
    # Ninja reads a repeated query parameter only into a plain list[str], so the item rule is
    # checked here and stated in the schema by hand.
    unit: list[str] = Field(
        default_factory=list,
        max_length=500,
        description="A unit reference the learner holds; repeat for each.",
        json_schema_extra={"items": {"type": "string", "maxLength": 100, "pattern": NUL_FREE}},
    )

    @field_validator("unit")
    @classmethod
    def _each_unit_fits(cls, units: list[str]) -> list[str]:
        for unit in units:
            if "\x00" in unit or len(unit) > 100:
                raise ValueError("each unit must be at most 100 characters, with no NUL characters")
        return units


MAX_OFFSET = 1_000_000


# PostgreSQL cannot store or compare NUL characters, and no code or title contains one. As a
# pattern the rule is in the OpenAPI document too, so clients know it before they send.
SearchText = Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)]


class Page(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many to return (1 to 200).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip.")


class SearchFilters(Page):
    q: SearchText = Field("", description="Part of a code or title.")
    framework: SearchText = Field("", description="A framework code, e.g. RQF.")
    kind: SearchText = Field("", description="award, certificate, diploma or micro_credential.")


class UnitFilters(Page):
    q: SearchText = Field("", description="Part of a unit reference or title.")


# Portfolio templates ------------------------------------------------------------------------------


class RequirementIn(Schema):
    kind: str = Field(description=f"One of: {', '.join(EvidenceKind.values)}.")
    description: str
    min_count: int = Field(1, description="How many pieces of this evidence, at least (1 or more).")
    attestor_relationship: str = Field(
        "", description="For an attestation, who writes it, e.g. 'a participant'; blank for other kinds."
    )


class SectionIn(Schema):
    title: str
    guidance: str = ""
    min_words: int | None = None
    max_words: int | None = None
    sample: bool = Field(False, description="Written as an example, not taken from the specification.")
    requirements: list[RequirementIn] = []


class TemplateIn(Schema):
    introduction: str = ""
    sections: list[SectionIn] = Field(default_factory=list, description="In the order learners meet them.")
