"""Catalogue endpoints of the JSON API: the same access helpers and services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints, field_validator

from credo.api_errors import NUL_FREE
from credo.catalogue import access, services
from credo.catalogue.forms import SearchForm
from credo.catalogue.models import (
    EvidenceKind,
    Framework,
    GroupKind,
    Level,
    PortfolioTemplate,
    Qualification,
    QualificationKind,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)
from credo.catalogue.progression import QualificationProgress, progression_for
from credo.catalogue.services import CriterionSpec, OutcomeSpec, RequirementSpec, SectionSpec

router = Router(tags=["catalogue"])


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


# Serialisers --------------------------------------------------------------------------------------


def _unit_summary(unit: Unit) -> UnitSummary:
    return UnitSummary(
        code=unit.code,
        slug=unit.slug,
        title=unit.title,
        level=unit.level.number,
        credits=unit.credits,
        guided_learning_hours=unit.guided_learning_hours,
    )


def _qualification_detail(pk: int) -> QualificationDetail:
    q = (
        Qualification.objects.with_structure()
        .prefetch_related(
            "competencies",
            Prefetch("portfolio_template__sections", queryset=TemplateSection.objects.prefetch_related("requirements")),
        )
        .get(pk=pk)
    )
    template = getattr(q, "portfolio_template", None)
    return QualificationDetail(
        **QualificationSummary.of(q).dict(),
        summary=q.summary,
        level_note=q.level_note,
        guided_learning_hours=q.guided_learning_hours,
        total_qualification_time=q.total_qualification_time,
        credits=q.credits,
        updated_at=q.updated_at,
        rules=[
            RuleGroupOut(
                id=g.pk,
                name=g.name,
                kind=g.kind,
                min_units=g.min_units,
                min_credits=g.min_credits,
                requirement=g.requirement_text(),
                units=[_unit_summary(m.unit) for m in g.memberships.all()],
            )
            for g in q.rule_groups.all()
        ],
        competencies=[
            CompetencyOut(number=c.number, title=c.title, description=c.description, sample=c.is_sample)
            for c in q.competencies.all()
        ],
        portfolio_template=TemplateOut(
            introduction=template.introduction,
            sections=[
                SectionOut(
                    position=s.position,
                    title=s.title,
                    guidance=s.guidance,
                    min_words=s.min_words,
                    max_words=s.max_words,
                    sample=s.is_sample,
                    requirements=[
                        RequirementOut(
                            kind=r.kind,
                            description=r.description,
                            min_count=r.min_count,
                            attestor_relationship=r.attestor_relationship,
                        )
                        for r in s.requirements.all()
                    ],
                )
                for s in template.sections.all()
            ],
        )
        if template
        else None,
    )


def _unit_detail(unit: Unit) -> UnitDetail:
    outcomes = unit.outcomes.prefetch_related("criteria")
    return UnitDetail(
        **_unit_summary(unit).dict(),
        framework=unit.framework.code,
        owner=unit.owner.slug,
        outcomes=[
            OutcomeOut(
                number=o.number,
                text=o.text,
                sample=o.is_sample,
                criteria=[CriterionOut(number=c.number, text=c.text, sample=c.is_sample) for c in o.criteria.all()],
            )
            for o in outcomes
        ],
    )


def _progress(p: QualificationProgress) -> ProgressOut:
    return ProgressOut(
        qualification=QualificationSummary.of(p.qualification),
        complete=p.complete,
        credits_achieved=p.credits_achieved,
        credits_short=p.credits_short,
        groups=[
            GroupProgressOut(
                name=g.group.name,
                satisfied=g.satisfied,
                units_short=g.units_short,
                credits_short=g.credits_short,
                achieved=[u.code for u in g.achieved],
                remaining=[u.code for u in g.remaining],
                shortfall=g.shortfall_text(),
            )
            for g in p.groups
        ],
    )


def _level(framework: Framework, number: int) -> Level:
    level = Level.objects.filter(framework=framework, number=number).first()
    if level is None:
        raise ValidationError({"level": f"{framework} has no level {number}."})
    return level


def _framework(code: str) -> Framework:
    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        known = ", ".join(Framework.objects.values_list("code", flat=True))
        raise ValidationError({"framework": f"No framework {code!r}; known frameworks: {known}."})
    return framework


# Reading ------------------------------------------------------------------------------------------


@router.get(
    "/qualifications", response={200: list[QualificationSummary], 422: Problems}, summary="Search qualifications"
)
def list_qualifications(request: HttpRequest, filters: Query[SearchFilters]) -> list[QualificationSummary]:
    """Qualifications the caller may see (published ones; drafts too for their owners), by code or title."""
    form = SearchForm({"q": filters.q, "framework": filters.framework, "kind": filters.kind})
    qs = access.visible_qualifications(request.user).select_related("owner", "framework", "level")
    if form.is_valid():
        qs = qs.search(form.cleaned_data["q"])
        if form.cleaned_data["framework"]:
            qs = qs.filter(framework=form.cleaned_data["framework"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    page = qs.order_by("framework__code", "level__number", "code", "version")[
        filters.offset : filters.offset + filters.limit
    ]
    return [QualificationSummary.of(q) for q in page]


@router.get(
    "/qualifications/{slug}/versions/{version}",
    response={200: QualificationDetail, 404: Message, 422: Problems},
    summary="One version of a qualification, with its rules, competencies and portfolio template",
)
def get_qualification(request: HttpRequest, slug: str, version: int) -> QualificationDetail:
    return _qualification_detail(access.access_qualification(request.user, slug, version).pk)


@router.get("/units", response={200: list[UnitSummary], 422: Problems}, summary="Search units")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> list[UnitSummary]:
    units = access.visible_units(request.user).select_related("level").order_by("code")
    if text := filters.q.strip():
        units = units.filter(Q(code__icontains=text) | Q(title__icontains=text))
    return [_unit_summary(u) for u in units[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/units/{slug}",
    response={200: UnitDetail, 404: Message, 422: Problems},
    summary="A unit with its outcomes and criteria",
)
def get_unit(request: HttpRequest, slug: str) -> UnitDetail:
    return _unit_detail(access.access_unit(request.user, slug))


@router.get(
    "/progression",
    response={200: list[ProgressOut], 422: Problems},
    summary="Progress towards each live qualification, given the units achieved",
)
def progression(request: HttpRequest, achieved: Query[AchievedUnits]) -> list[ProgressOut]:
    """Pass each achieved unit as `unit=Y/615/8308`; complete qualifications come first."""
    live = access.visible_qualifications(request.user).filter(status=Status.LIVE)
    return [_progress(p) for p in progression_for(achieved.unit, live)]


# Editing (programme admins of the owner; session authentication with CSRF) -----------------------


@router.post(
    "/qualifications",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 422: Problems},
    summary="Create a draft qualification",
)
def create_qualification(request: HttpRequest, payload: QualificationIn) -> Reply[QualificationDetail]:
    owner = access.access_owner_for_edit(request.user, payload.owner)
    framework = _framework(payload.framework)
    fields = payload.dict(exclude={"owner", "framework", "level", "code"})
    if problem := framework.qualification_code_problem(payload.code):
        raise ValidationError({"code": problem})
    q = services.create_qualification(
        actor=request.user,
        owner=owner,
        code=payload.code,
        framework=framework,
        level=_level(framework, payload.level),
        **fields,
    )
    return Reply(201, _qualification_detail(q.pk))


@router.patch(
    "/qualifications/{slug}/versions/{version}",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Change a draft's details",
)
def update_qualification(
    request: HttpRequest, slug: str, version: int, payload: QualificationPatch
) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "level" in changes:
        changes["level"] = _level(q.framework, changes["level"])
    services.update_qualification(actor=request.user, qualification=q, **changes)
    return _qualification_detail(q.pk)


@router.post(
    "/qualifications/{slug}/versions/{version}/rules",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Add a rule group to a draft",
)
def add_rule_group(request: HttpRequest, slug: str, version: int, payload: RuleGroupIn) -> Reply[QualificationDetail]:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.add_rule_group(actor=request.user, qualification=q, **payload.dict())
    return Reply(201, _qualification_detail(q.pk))


@router.post(
    "/qualifications/{slug}/versions/{version}/rules/{group_id}/units",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Add a unit to a rule group of a draft",
)
def add_unit(
    request: HttpRequest, slug: str, version: int, group_id: int, payload: UnitCode
) -> Reply[QualificationDetail]:
    q = access.access_qualification_for_edit(request.user, slug, version)
    group = get_object_or_404(RuleGroup, pk=group_id, qualification=q)
    unit = access.visible_units(request.user).filter(code=payload.unit_code.strip().upper()).first()
    if unit is None:
        raise ValidationError({"unit_code": f"No unit {payload.unit_code} in the catalogue that you can use."})
    services.add_unit_to_group(actor=request.user, group=group, unit=unit)
    return Reply(201, _qualification_detail(q.pk))


@router.delete(
    "/qualifications/{slug}/versions/{version}/rules/{group_id}/units/{unit_slug}",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Take a unit out of a rule group of a draft",
)
def remove_unit(request: HttpRequest, slug: str, version: int, group_id: int, unit_slug: str) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    group = get_object_or_404(RuleGroup, pk=group_id, qualification=q)
    unit = get_object_or_404(Unit, slug=unit_slug)
    services.remove_unit_from_group(actor=request.user, group=group, unit=unit)
    return _qualification_detail(q.pk)


@router.delete(
    "/qualifications/{slug}/versions/{version}/rules/{group_id}",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Remove a rule group from a draft",
)
def remove_rule_group(request: HttpRequest, slug: str, version: int, group_id: int) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    group = get_object_or_404(RuleGroup, pk=group_id, qualification=q)
    services.remove_rule_group(actor=request.user, group=group)
    return _qualification_detail(q.pk)


@router.put(
    "/qualifications/{slug}/versions/{version}/competencies",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Replace a draft's competencies, numbered in the order given",
)
def set_competencies(request: HttpRequest, slug: str, version: int, payload: list[CompetencyIn]) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.set_competencies(
        actor=request.user, qualification=q, competencies=[(c.title, c.description) for c in payload]
    )
    return _qualification_detail(q.pk)


@router.post(
    "/qualifications/{slug}/versions/{version}/publish",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Publish a draft: it goes live and supersedes the previous live version",
)
def publish(request: HttpRequest, slug: str, version: int) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.publish_qualification(actor=request.user, qualification=q)
    return _qualification_detail(q.pk)


@router.post(
    "/qualifications/{slug}/versions/{version}/new-version",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Start a new draft version from a published one",
)
def new_version(request: HttpRequest, slug: str, version: int) -> Reply[QualificationDetail]:
    q = access.access_qualification_for_edit(request.user, slug, version)
    draft = services.start_new_version(actor=request.user, qualification=q)
    return Reply(201, _qualification_detail(draft.pk))


@router.post(
    "/qualifications/{slug}/versions/{version}/withdraw",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Withdraw a live qualification, with a reason",
)
def withdraw(request: HttpRequest, slug: str, version: int, payload: WithdrawIn) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.withdraw_qualification(actor=request.user, qualification=q, reason=payload.reason)
    return _qualification_detail(q.pk)


@router.post(
    "/units",
    auth=django_auth,
    response={201: UnitDetail, 401: Message, 403: Message, 422: Problems},
    summary="Create a unit",
)
def create_unit(request: HttpRequest, payload: UnitIn) -> Reply[UnitDetail]:
    owner = access.access_owner_for_edit(request.user, payload.owner)
    framework = _framework(payload.framework)
    unit = services.create_unit(
        actor=request.user,
        owner=owner,
        code=payload.code,
        title=payload.title,
        framework=framework,
        level=_level(framework, payload.level),
        credits=payload.credits,
        guided_learning_hours=payload.guided_learning_hours,
    )
    return Reply(201, _unit_detail(unit))


@router.patch(
    "/units/{slug}",
    auth=django_auth,
    response={200: UnitDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Change a unit's details (refused once a published qualification uses it)",
)
def update_unit(request: HttpRequest, slug: str, payload: UnitPatch) -> UnitDetail:
    unit = access.access_unit_for_edit(request.user, slug)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "level" in changes:
        changes["level"] = _level(unit.framework, changes["level"])
    return _unit_detail(services.update_unit(actor=request.user, unit=unit, **changes))


@router.put(
    "/units/{slug}/outcomes",
    auth=django_auth,
    response={200: UnitDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Replace a unit's learning outcomes and assessment criteria",
)
def set_outcomes(request: HttpRequest, slug: str, payload: list[OutcomeIn]) -> UnitDetail:
    unit = access.access_unit_for_edit(request.user, slug)
    outcomes = [
        OutcomeSpec(o.number, o.text, o.sample, tuple(CriterionSpec(c.number, c.text, c.sample) for c in o.criteria))
        for o in payload
    ]
    services.set_unit_outcomes(actor=request.user, unit=unit, outcomes=outcomes)
    return _unit_detail(unit)


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


@router.put(
    "/qualifications/{slug}/versions/{version}/template",
    auth=django_auth,
    response={
        200: QualificationDetail,
        201: QualificationDetail,
        401: Message,
        403: Message,
        404: Message,
        422: Problems,
    },
    summary="Replace a draft's portfolio template: its introduction, and its sections in order with their evidence",
)
def replace_template(request: HttpRequest, slug: str, version: int, payload: TemplateIn) -> Reply[QualificationDetail]:
    """All or nothing: if anything is wrong, every problem is listed and nothing changes.

    201 when the draft had no template before, 200 when its template was replaced.
    """
    q = access.access_qualification_for_edit(request.user, slug, version)
    existed = PortfolioTemplate.objects.filter(qualification=q).exists()
    services.replace_portfolio_template(
        actor=request.user,
        qualification=q,
        introduction=payload.introduction,
        sections=[
            SectionSpec(
                title=s.title,
                guidance=s.guidance,
                min_words=s.min_words,
                max_words=s.max_words,
                is_sample=s.sample,
                requirements=tuple(
                    RequirementSpec(
                        kind=r.kind,
                        description=r.description,
                        min_count=r.min_count,
                        attestor_relationship=r.attestor_relationship,
                    )
                    for r in s.requirements
                ),
            )
            for s in payload.sections
        ],
    )
    return Reply(200 if existed else 201, _qualification_detail(q.pk))
