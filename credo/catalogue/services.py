"""Every change to the catalogue goes through here: checked, then audited.

Permission to call these is the caller's business (views and the API load
objects through `access.py`); these functions enforce the catalogue's own
rules, chiefly that a published qualification's structure never changes: a
change is a new version, or it is refused with a message that says why.
Refusals are `ValidationError`s, so forms and the API show them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from credo.accounts.models import Organisation, OrganisationKind
from credo.audit.services import record_event
from credo.catalogue.models import (
    AssessmentCriterion,
    CentreApproval,
    Competency,
    EvidenceKind,
    EvidenceRequirement,
    GroupKind,
    GroupUnit,
    LearningOutcome,
    PortfolioTemplate,
    ProgressionRoute,
    Qualification,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)

CATALOGUE_OWNER_KINDS = frozenset({OrganisationKind.AWARDING_BODY, OrganisationKind.ISSUING_INSTITUTION})


def _require_draft(qualification: Qualification) -> None:
    if qualification.status != Status.DRAFT:
        raise ValidationError(
            f"{qualification.code} version {qualification.version} is {qualification.get_status_display().lower()}: "
            "its structure cannot change. Start a new version to change it."
        )


def _require_unit_unpublished(unit: Unit) -> None:
    published = (
        Qualification.objects.published().filter(rule_groups__units=unit).values_list("code", flat=True).distinct()
    )
    codes = sorted(published)
    if codes:
        raise ValidationError(
            f"Unit {unit.code} is part of published qualification(s) {', '.join(codes)}, so its content cannot change. "
            "A changed unit needs a new unit reference number."
        )


def _require_owner(owner: Organisation) -> None:
    if owner.kind not in CATALOGUE_OWNER_KINDS:
        raise ValidationError(
            f"{owner} is a {owner.get_kind_display().lower()}; "
            "only awarding bodies and issuing institutions own catalogue entries."
        )


def _audit(actor: Any, action: str, obj: Any, owner: Organisation, **details: Any) -> None:
    record_event(actor=actor, action=action, obj=obj, organisation_id=owner.pk, details=details)


# Qualifications ---------------------------------------------------------------------------------

QUALIFICATION_FIELDS = (
    "title",
    "kind",
    "summary",
    "level",
    "level_note",
    "guided_learning_hours",
    "total_qualification_time",
    "credits",
)


@transaction.atomic
def create_qualification(*, actor: Any, owner: Organisation, code: str, **fields: Any) -> Qualification:
    """A new draft qualification (version 1)."""
    _require_owner(owner)
    if Qualification.objects.filter(code=code).exists():
        raise ValidationError({"code": f"{code} is already in the catalogue."})
    qualification = Qualification(owner=owner, code=code, version=1, status=Status.DRAFT, **fields)
    qualification.full_clean()
    qualification.save()
    _audit(actor, "catalogue.qualification_created", qualification, owner, code=code, version=1)
    return qualification


@transaction.atomic
def update_qualification(*, actor: Any, qualification: Qualification, **changes: Any) -> Qualification:
    """Change a draft's own fields (not its code or owner)."""
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    _require_draft(qualification)
    unknown = set(changes) - set(QUALIFICATION_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = {name: value for name, value in changes.items() if getattr(qualification, name) != value}
    for name, value in changed.items():
        setattr(qualification, name, value)
    qualification.full_clean()
    qualification.save()
    if changed:
        _audit(
            actor,
            "catalogue.qualification_updated",
            qualification,
            qualification.owner,
            fields=sorted(changed),
        )
    return qualification


@dataclass(frozen=True)
class UnitOutline:
    code: str
    credits: int | None


@dataclass(frozen=True)
class GroupOutline:
    name: str
    min_units: int | None
    min_credits: int | None
    units: tuple[UnitOutline, ...]


@dataclass(frozen=True)
class StructureOutline:
    """What `structure_problems` judges, as plain data, so an import can check entries not yet saved."""

    is_micro_credential: bool
    has_competencies: bool
    credits: int | None
    groups: tuple[GroupOutline, ...]


def outline_problems(outline: StructureOutline) -> list[str]:
    """What stops a qualification of this shape from going live; empty when it may be published."""
    problems: list[str] = []
    groups = outline.groups
    if outline.is_micro_credential:
        if not outline.has_competencies and not groups:
            problems.append("A micro-credential needs at least one competency (or units) before it goes live.")
    elif not groups:
        problems.append("Add at least one rule group with units before it goes live.")
    for group in groups:
        units = list(group.units)
        if not units:
            problems.append(f"Rule group “{group.name}” has no units.")
            continue
        if group.min_units and group.min_units > len(units):
            problems.append(f"Rule group “{group.name}” asks for {group.min_units} units but has only {len(units)}.")
        if group.min_credits:
            missing_credit = [unit.code for unit in units if unit.credits is None]
            if missing_credit:
                problems.append(
                    f"Rule group “{group.name}” sets a credit minimum, but these units have no credit value: "
                    f"{', '.join(missing_credit)}."
                )
            elif sum(unit.credits or 0 for unit in units) < group.min_credits:
                problems.append(
                    f"Rule group “{group.name}” asks for {group.min_credits} credits but its units carry only "
                    f"{sum(unit.credits or 0 for unit in units)}."
                )
    if outline.credits:
        units = [unit for group in groups for unit in group.units]
        if any(unit.credits is None for unit in units):
            problems.append("The qualification has a credit value, so every unit in it needs one.")
        elif sum(unit.credits or 0 for unit in units) < outline.credits:
            problems.append(
                f"The qualification needs {outline.credits} credits but all its units together carry only "
                f"{sum(unit.credits or 0 for unit in units)}."
            )
    return problems


def structure_problems(qualification: Qualification) -> list[str]:
    """What stops this version from going live; empty when it may be published."""
    groups = tuple(
        GroupOutline(
            name=group.name,
            min_units=group.min_units,
            min_credits=group.min_credits,
            units=tuple(UnitOutline(code=unit.code, credits=unit.credits) for unit in group.units.all()),
        )
        for group in qualification.rule_groups.prefetch_related("units")
    )
    outline = StructureOutline(
        is_micro_credential=qualification.is_micro_credential,
        # Only a micro-credential's competencies count, so other kinds skip the query.
        has_competencies=qualification.is_micro_credential and qualification.competencies.exists(),
        credits=qualification.credits,
        groups=groups,
    )
    return outline_problems(outline)


@transaction.atomic
def publish_qualification(*, actor: Any, qualification: Qualification) -> Qualification:
    """Draft -> live. The version it replaces, if any, becomes superseded."""
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if qualification.status != Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be published; {qualification.code} v{qualification.version} is {qualification.status}."
        )
    if problems := structure_problems(qualification):
        raise ValidationError(problems)
    previous = Qualification.objects.select_for_update().filter(code=qualification.code, status=Status.LIVE)
    superseded = [q.version for q in previous]
    previous.update(status=Status.SUPERSEDED)
    qualification.status = Status.LIVE
    qualification.save(update_fields=["status", "updated_at"])
    _audit(
        actor,
        "catalogue.qualification_published",
        qualification,
        qualification.owner,
        version=qualification.version,
        superseded_versions=superseded,
    )
    return qualification


@transaction.atomic
def withdraw_qualification(*, actor: Any, qualification: Qualification, reason: str) -> Qualification:
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if qualification.status != Status.LIVE:
        raise ValidationError(f"Only a live qualification can be withdrawn; this one is {qualification.status}.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is withdrawn: the reason is kept in the audit log."})
    qualification.status = Status.WITHDRAWN
    qualification.save(update_fields=["status", "updated_at"])
    _audit(actor, "catalogue.qualification_withdrawn", qualification, qualification.owner, reason=reason.strip())
    return qualification


@transaction.atomic
def start_new_version(*, actor: Any, qualification: Qualification) -> Qualification:
    """Copy a published qualification into a new draft version, rules, competencies and template included."""
    if qualification.status == Status.DRAFT:
        raise ValidationError("This is already a draft: change it directly.")
    if Qualification.objects.filter(code=qualification.code, status=Status.DRAFT).exists():
        raise ValidationError(f"{qualification.code} already has a draft version: change that one instead.")
    latest = Qualification.objects.filter(code=qualification.code).aggregate(v=Max("version"))["v"]
    source = Qualification.objects.with_structure().get(pk=qualification.pk)
    draft = Qualification.objects.get(pk=source.pk)
    draft.pk = None
    draft.version = latest + 1
    draft.status = Status.DRAFT
    draft.save(force_insert=True)
    for group in source.rule_groups.all():
        new_group = RuleGroup.objects.create(
            qualification=draft,
            position=group.position,
            name=group.name,
            kind=group.kind,
            min_units=group.min_units,
            min_credits=group.min_credits,
        )
        GroupUnit.objects.bulk_create(
            GroupUnit(group=new_group, unit=gu.unit, qualification=draft, position=gu.position)
            for gu in group.memberships.all()
        )
    Competency.objects.bulk_create(
        Competency(
            qualification=draft,
            number=c.number,
            title=c.title,
            description=c.description,
            is_sample=c.is_sample,
        )
        for c in source.competencies.all()
    )
    template = PortfolioTemplate.objects.filter(qualification=source).first()
    if template:
        copy_portfolio_template(source=template, to=draft)
    _audit(
        actor,
        "catalogue.version_started",
        draft,
        draft.owner,
        from_version=source.version,
        version=draft.version,
    )
    return draft


def copy_portfolio_template(*, source: PortfolioTemplate, to: Qualification) -> PortfolioTemplate:
    template = PortfolioTemplate.objects.create(qualification=to, introduction=source.introduction)
    for section in source.sections.prefetch_related("requirements"):
        new_section = TemplateSection.objects.create(
            template=template,
            position=section.position,
            title=section.title,
            guidance=section.guidance,
            min_words=section.min_words,
            max_words=section.max_words,
            is_sample=section.is_sample,
        )
        EvidenceRequirement.objects.bulk_create(
            EvidenceRequirement(
                section=new_section,
                position=r.position,
                kind=r.kind,
                description=r.description,
                min_count=r.min_count,
                attestor_relationship=r.attestor_relationship,
            )
            for r in section.requirements.all()
        )
    return template


# Rules of combination ---------------------------------------------------------------------------


@transaction.atomic
def add_rule_group(
    *,
    actor: Any,
    qualification: Qualification,
    name: str,
    kind: str,
    min_units: int | None = None,
    min_credits: int | None = None,
) -> RuleGroup:
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    _require_draft(qualification)
    if kind == GroupKind.MANDATORY and (min_units or min_credits):
        raise ValidationError("A mandatory group needs every unit, so it takes no minimum.")
    if kind == GroupKind.OPTIONAL and not (min_units or min_credits):
        raise ValidationError("An optional group needs a minimum number of units or credits.")
    if qualification.rule_groups.filter(name=name).exists():
        raise ValidationError({"name": f"There is already a group called “{name}”."})
    position = (qualification.rule_groups.aggregate(p=Max("position"))["p"] or 0) + 1
    group = RuleGroup(
        qualification=qualification,
        position=position,
        name=name,
        kind=kind,
        min_units=min_units or None,
        min_credits=min_credits or None,
    )
    group.full_clean()
    group.save()
    _audit(actor, "catalogue.rule_group_added", qualification, qualification.owner, group=name, kind=kind)
    return group


@transaction.atomic
def remove_rule_group(*, actor: Any, group: RuleGroup) -> None:
    qualification = Qualification.objects.select_for_update().get(pk=group.qualification_id)
    _require_draft(qualification)
    name = group.name
    group.delete()
    _audit(actor, "catalogue.rule_group_removed", qualification, qualification.owner, group=name)


@transaction.atomic
def add_unit_to_group(*, actor: Any, group: RuleGroup, unit: Unit) -> GroupUnit:
    qualification = Qualification.objects.select_for_update().get(pk=group.qualification_id)
    _require_draft(qualification)
    if unit.framework_id != qualification.framework_id:
        raise ValidationError(
            f"{unit.code} is a {unit.framework} unit; {qualification.code} is in {qualification.framework}."
        )
    if GroupUnit.objects.filter(qualification=qualification, unit=unit).exists():
        raise ValidationError(f"{unit.code} is already in {qualification.code}.")
    position = (group.memberships.aggregate(p=Max("position"))["p"] or 0) + 1
    membership = GroupUnit.objects.create(group=group, unit=unit, qualification=qualification, position=position)
    _audit(
        actor,
        "catalogue.unit_added",
        qualification,
        qualification.owner,
        group=group.name,
        unit=unit.code,
    )
    return membership


@transaction.atomic
def remove_unit_from_group(*, actor: Any, group: RuleGroup, unit: Unit) -> None:
    qualification = Qualification.objects.select_for_update().get(pk=group.qualification_id)
    _require_draft(qualification)
    deleted, _ = GroupUnit.objects.filter(group=group, unit=unit).delete()
    if not deleted:
        raise ValidationError(f"{unit.code} is not in “{group.name}”.")
    _audit(
        actor,
        "catalogue.unit_removed",
        qualification,
        qualification.owner,
        group=group.name,
        unit=unit.code,
    )


@transaction.atomic
def add_progression_route(*, actor: Any, from_qualification: Qualification, to_code: str) -> None:
    """Record that one qualification leads to another (e.g. the Awards lead to the Certificates)."""
    if to_code == from_qualification.code:
        raise ValidationError("A qualification cannot lead to itself.")
    if not Qualification.objects.filter(code=to_code).exists():
        raise ValidationError(f"{to_code} is not in the catalogue.")
    _, created = ProgressionRoute.objects.get_or_create(from_code=from_qualification.code, to_code=to_code)
    if created:
        _audit(
            actor,
            "catalogue.progression_added",
            from_qualification,
            from_qualification.owner,
            to=to_code,
        )


# Units ------------------------------------------------------------------------------------------

UNIT_FIELDS = ("title", "level", "credits", "guided_learning_hours")


@transaction.atomic
def create_unit(*, actor: Any, owner: Organisation, code: str, **fields: Any) -> Unit:
    _require_owner(owner)
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Unit {code} is already in the catalogue."})
    unit = Unit(owner=owner, code=code, **fields)
    unit.full_clean()
    unit.save()
    _audit(actor, "catalogue.unit_created", unit, owner, code=code)
    return unit


@transaction.atomic
def update_unit(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_unit_unpublished(unit)
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = {name: value for name, value in changes.items() if getattr(unit, name) != value}
    for name, value in changed.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    if changed:
        _audit(actor, "catalogue.unit_updated", unit, unit.owner, fields=sorted(changed))
    return unit


@dataclass(frozen=True)
class CriterionSpec:
    number: str
    text: str
    is_sample: bool = False


@dataclass(frozen=True)
class OutcomeSpec:
    number: int
    text: str
    is_sample: bool = False
    criteria: tuple[CriterionSpec, ...] = field(default_factory=tuple)


def outcome_problems(outcomes: list[OutcomeSpec]) -> list[str]:
    problems: list[str] = []
    seen: set[int] = set()
    for outcome in outcomes:
        if outcome.number in seen:
            problems.append(f"Learning outcome {outcome.number} is listed twice.")
        seen.add(outcome.number)
        if not outcome.text.strip():
            problems.append(f"Learning outcome {outcome.number} has no text.")
        numbers = [c.number for c in outcome.criteria]
        for number in {n for n in numbers if numbers.count(n) > 1}:
            problems.append(f"Assessment criterion {number} is listed twice under outcome {outcome.number}.")
        for criterion in outcome.criteria:
            if not criterion.text.strip():
                problems.append(f"Assessment criterion {criterion.number} has no text.")
    return problems


def write_outcomes(unit: Unit, outcomes: list[OutcomeSpec]) -> None:
    """Replace a unit's outcomes and criteria (no checks: callers check first)."""
    unit.outcomes.all().delete()
    for spec in outcomes:
        outcome = LearningOutcome.objects.create(
            unit=unit, number=spec.number, text=spec.text, is_sample=spec.is_sample
        )
        AssessmentCriterion.objects.bulk_create(
            AssessmentCriterion(outcome=outcome, number=c.number, text=c.text, is_sample=c.is_sample)
            for c in spec.criteria
        )


@transaction.atomic
def set_unit_outcomes(*, actor: Any, unit: Unit, outcomes: list[OutcomeSpec]) -> None:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_unit_unpublished(unit)
    if problems := outcome_problems(outcomes):
        raise ValidationError(problems)
    write_outcomes(unit, outcomes)
    _audit(
        actor,
        "catalogue.unit_outcomes_set",
        unit,
        unit.owner,
        outcomes=len(outcomes),
        criteria=sum(len(o.criteria) for o in outcomes),
    )


@transaction.atomic
def set_competencies(*, actor: Any, qualification: Qualification, competencies: list[tuple[str, str]]) -> None:
    """Replace a draft's competencies with (title, description) pairs, numbered in order."""
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    _require_draft(qualification)
    blank = [str(i) for i, (title, _) in enumerate(competencies, start=1) if not title.strip()]
    if blank:
        raise ValidationError(f"Competency {', '.join(blank)} has no title.")
    qualification.competencies.all().delete()
    Competency.objects.bulk_create(
        Competency(qualification=qualification, number=i, title=title.strip(), description=description.strip())
        for i, (title, description) in enumerate(competencies, start=1)
    )
    _audit(
        actor,
        "catalogue.competencies_set",
        qualification,
        qualification.owner,
        competencies=len(competencies),
    )


@transaction.atomic
def approve_centre(
    *, actor: Any, qualification: Qualification, centre: Organisation, approved_on: Any
) -> CentreApproval:
    if centre.kind != OrganisationKind.PROVIDER:
        raise ValidationError(f"{centre} is not a provider, so it cannot be approved as a centre.")
    approval, created = CentreApproval.objects.get_or_create(
        qualification_code=qualification.code,
        centre=centre,
        defaults={"owner": qualification.owner, "approved_on": approved_on},
    )
    if created:
        _audit(
            actor,
            "catalogue.centre_approved",
            qualification,
            qualification.owner,
            centre=centre.slug,
            approved_on=approved_on,
        )
    return approval


# Portfolio templates ----------------------------------------------------------------------------

SECTION_TITLE_MAX = 200  # TemplateSection.title
REQUIREMENT_DESCRIPTION_MAX = 300  # EvidenceRequirement.description
ATTESTOR_MAX = 200  # EvidenceRequirement.attestor_relationship
WORDS_MAX = 2_147_483_647  # what a PositiveIntegerField holds
EVIDENCE_COUNT_MAX = 32_767  # what a PositiveSmallIntegerField holds
SECTION_GONE = "That section is no longer in the template: reload the page to see the template as it is now."
REQUIREMENT_GONE = "That evidence requirement is no longer in the template: reload the page to see it as it is now."


@dataclass(frozen=True)
class RequirementSpec:
    kind: str
    description: str
    min_count: int = 1
    attestor_relationship: str = ""


@dataclass(frozen=True)
class SectionSpec:
    title: str
    guidance: str = ""
    min_words: int | None = None
    max_words: int | None = None
    is_sample: bool = False
    requirements: tuple[RequirementSpec, ...] = field(default_factory=tuple)


def section_problems(*, title: str, min_words: int | None, max_words: int | None) -> list[str]:
    """What is wrong with a section's title and suggested length; empty when it may be saved."""
    problems: list[str] = []
    title = title.strip()
    if not title:
        problems.append("Give the section a title.")
    elif len(title) > SECTION_TITLE_MAX:
        problems.append(f"Shorten the section title to {SECTION_TITLE_MAX} characters or fewer (it has {len(title)}).")
    for name, words in (("minimum", min_words), ("maximum", max_words)):
        if words is not None and not 1 <= words <= WORDS_MAX:
            problems.append(
                f"The suggested {name} length is {words} words: leave it blank, or give a whole number of words "
                f"from 1 to {WORDS_MAX:,}."
            )
    if min_words is not None and max_words is not None and min_words > max_words:
        problems.append(
            f"The suggested length runs from {min_words:,} down to {max_words:,} words: "
            "make the minimum no more than the maximum."
        )
    return problems


def requirement_problems(*, kind: str, description: str, min_count: int, attestor_relationship: str) -> list[str]:
    """What is wrong with one evidence requirement; empty when it may be saved."""
    problems: list[str] = []
    if kind not in EvidenceKind.values:
        problems.append(f"“{kind}” is not a kind of evidence: choose one of {', '.join(EvidenceKind.values)}.")
    description = description.strip()
    if not description:
        problems.append("Describe the evidence the learner must give.")
    elif len(description) > REQUIREMENT_DESCRIPTION_MAX:
        problems.append(
            f"Shorten the description to {REQUIREMENT_DESCRIPTION_MAX} characters or fewer (it has {len(description)})."
        )
    if not 1 <= min_count <= EVIDENCE_COUNT_MAX:
        problems.append(
            f"The evidence is asked for {min_count} times: ask for it at least once "
            f"(and at most {EVIDENCE_COUNT_MAX:,} times)."
        )
    relationship = attestor_relationship.strip()
    if kind == EvidenceKind.ATTESTATION and not relationship:
        problems.append("An attestation is written by someone: say who attests, e.g. “a participant”.")
    elif kind in EvidenceKind.values and kind != EvidenceKind.ATTESTATION and relationship:
        problems.append(
            f"Only an attestation names who attests: clear “{relationship}”, "
            f"or make this evidence an attestation rather than {EvidenceKind(kind).label.lower()}."
        )
    elif len(relationship) > ATTESTOR_MAX:
        problems.append(f"Shorten who attests to {ATTESTOR_MAX} characters or fewer (it has {len(relationship)}).")
    return problems


def portfolio_template_problems(sections: Sequence[SectionSpec]) -> list[str]:
    """Every problem in a whole template, each saying which section (and which evidence) it is in."""
    problems: list[str] = []
    for number, section in enumerate(sections, start=1):
        where = f"Section {number}"
        problems.extend(
            f"{where}: {problem}"
            for problem in section_problems(
                title=section.title, min_words=section.min_words, max_words=section.max_words
            )
        )
        for index, requirement in enumerate(section.requirements, start=1):
            problems.extend(
                f"{where}, evidence {index}: {problem}"
                for problem in requirement_problems(
                    kind=requirement.kind,
                    description=requirement.description,
                    min_count=requirement.min_count,
                    attestor_relationship=requirement.attestor_relationship,
                )
            )
    return problems


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


def _lock_draft(qualification_id: int) -> Qualification:
    qualification = Qualification.objects.select_for_update().get(pk=qualification_id)
    _require_draft(qualification)
    return qualification


def _lock_section(section: TemplateSection) -> tuple[Qualification, TemplateSection]:
    """Lock the section's qualification (which must be a draft), then read the section as it is now."""
    qualification_id = (
        TemplateSection.objects.filter(pk=section.pk).values_list("template__qualification_id", flat=True).first()
    )
    if qualification_id is None:
        raise ValidationError(SECTION_GONE)
    qualification = _lock_draft(qualification_id)
    current = TemplateSection.objects.filter(pk=section.pk).first()
    if current is None:
        raise ValidationError(SECTION_GONE)
    return qualification, current


def _number_sections(template_id: int) -> None:
    """Number a template's sections 1..n in their order.

    One row at a time from the top: each section only ever moves down to a number that the ones before
    it have just left, so the unique (template, position) constraint never sees two sections share one.
    """
    for number, section in enumerate(TemplateSection.objects.filter(template_id=template_id).order_by("position"), 1):
        if section.position != number:
            section.position = number
            section.save(update_fields=["position"])


def _number_requirements(section_id: int) -> None:
    for number, requirement in enumerate(
        EvidenceRequirement.objects.filter(section_id=section_id).order_by("position", "id"), 1
    ):
        if requirement.position != number:
            requirement.position = number
            requirement.save(update_fields=["position"])


@transaction.atomic
def set_template_introduction(*, actor: Any, qualification: Qualification, introduction: str) -> PortfolioTemplate:
    """Set what the portfolio is for and how to approach it (the template is created if there is none)."""
    qualification = _lock_draft(qualification.pk)
    template, created = PortfolioTemplate.objects.get_or_create(qualification=qualification)
    template.introduction = introduction.strip()
    template.save(update_fields=["introduction"])
    _audit(
        actor,
        "catalogue.template_introduction_set",
        qualification,
        qualification.owner,
        template_created=created,
        characters=len(template.introduction),
    )
    return template


@transaction.atomic
def add_template_section(
    *,
    actor: Any,
    qualification: Qualification,
    title: str,
    guidance: str = "",
    min_words: int | None = None,
    max_words: int | None = None,
) -> TemplateSection:
    """Append a section to a draft's portfolio template (created if there is none)."""
    qualification = _lock_draft(qualification.pk)
    _refuse(section_problems(title=title, min_words=min_words, max_words=max_words))
    template, _ = PortfolioTemplate.objects.get_or_create(qualification=qualification)
    position = (template.sections.aggregate(p=Max("position"))["p"] or 0) + 1
    section = TemplateSection.objects.create(
        template=template,
        position=position,
        title=title.strip(),
        guidance=guidance.strip(),
        min_words=min_words,
        max_words=max_words,
    )
    _audit(
        actor,
        "catalogue.template_section_added",
        qualification,
        qualification.owner,
        position=position,
        title=section.title,
    )
    return section


@transaction.atomic
def update_template_section(
    *,
    actor: Any,
    section: TemplateSection,
    title: str,
    guidance: str,
    min_words: int | None,
    max_words: int | None,
) -> TemplateSection:
    qualification, section = _lock_section(section)
    _refuse(section_problems(title=title, min_words=min_words, max_words=max_words))
    changes = {"title": title.strip(), "guidance": guidance.strip(), "min_words": min_words, "max_words": max_words}
    changed = sorted(name for name, value in changes.items() if getattr(section, name) != value)
    for name, value in changes.items():
        setattr(section, name, value)
    section.save(update_fields=list(changes))
    _audit(
        actor,
        "catalogue.template_section_updated",
        qualification,
        qualification.owner,
        position=section.position,
        title=section.title,
        fields=changed,
    )
    return section


@transaction.atomic
def remove_template_section(*, actor: Any, section: TemplateSection) -> None:
    """Remove a section and its evidence requirements; the sections after it move up one place."""
    qualification, section = _lock_section(section)
    position, title, template_id = section.position, section.title, section.template_id
    section.delete()
    _number_sections(template_id)
    _audit(
        actor,
        "catalogue.template_section_removed",
        qualification,
        qualification.owner,
        position=position,
        title=title,
    )


@transaction.atomic
def move_template_section(*, actor: Any, section: TemplateSection, direction: Literal["up", "down"]) -> TemplateSection:
    """Swap a section with the one before it ("up") or after it ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError(f"A section moves “up” or “down”, not “{direction}”.")
    qualification, section = _lock_section(section)
    siblings = TemplateSection.objects.filter(template_id=section.template_id)
    if direction == "up":
        neighbour = siblings.filter(position__lt=section.position).order_by("-position").first()
    else:
        neighbour = siblings.filter(position__gt=section.position).order_by("position").first()
    if neighbour is None:
        end = "first" if direction == "up" else "last"
        raise ValidationError(
            f"Section {section.position} (“{section.title}”) is already the {end} section: it cannot move {direction}."
        )
    here, there = section.position, neighbour.position
    # Park the section past the end first, so the two never hold the same position at once.
    section.position = (siblings.aggregate(p=Max("position"))["p"] or 0) + 1
    section.save(update_fields=["position"])
    neighbour.position = here
    neighbour.save(update_fields=["position"])
    section.position = there
    section.save(update_fields=["position"])
    _audit(
        actor,
        "catalogue.template_section_moved",
        qualification,
        qualification.owner,
        title=section.title,
        from_position=here,
        to_position=there,
    )
    return section


@transaction.atomic
def add_evidence_requirement(
    *,
    actor: Any,
    section: TemplateSection,
    kind: str,
    description: str,
    min_count: int = 1,
    attestor_relationship: str = "",
) -> EvidenceRequirement:
    """Ask for a piece of evidence in a section (added after the section's other requirements)."""
    qualification, section = _lock_section(section)
    _refuse(
        requirement_problems(
            kind=kind, description=description, min_count=min_count, attestor_relationship=attestor_relationship
        )
    )
    position = (section.requirements.aggregate(p=Max("position"))["p"] or 0) + 1
    requirement = EvidenceRequirement.objects.create(
        section=section,
        position=position,
        kind=kind,
        description=description.strip(),
        min_count=min_count,
        attestor_relationship=attestor_relationship.strip(),
    )
    _audit(
        actor,
        "catalogue.template_requirement_added",
        qualification,
        qualification.owner,
        section=section.position,
        kind=kind,
        description=requirement.description,
    )
    return requirement


@transaction.atomic
def remove_evidence_requirement(*, actor: Any, requirement: EvidenceRequirement) -> None:
    qualification_id = (
        EvidenceRequirement.objects.filter(pk=requirement.pk)
        .values_list("section__template__qualification_id", flat=True)
        .first()
    )
    if qualification_id is None:
        raise ValidationError(REQUIREMENT_GONE)
    qualification = _lock_draft(qualification_id)
    current = EvidenceRequirement.objects.select_related("section").filter(pk=requirement.pk).first()
    if current is None:
        raise ValidationError(REQUIREMENT_GONE)
    section = current.section
    kind, description = current.kind, current.description
    current.delete()
    _number_requirements(section.pk)
    _audit(
        actor,
        "catalogue.template_requirement_removed",
        qualification,
        qualification.owner,
        section=section.position,
        kind=kind,
        description=description,
    )


@transaction.atomic
def replace_portfolio_template(
    *, actor: Any, qualification: Qualification, introduction: str, sections: Sequence[SectionSpec]
) -> PortfolioTemplate:
    """Replace a draft's whole template, in the order given. All or nothing: every problem is listed first."""
    qualification = _lock_draft(qualification.pk)
    _refuse(portfolio_template_problems(sections))
    template, _ = PortfolioTemplate.objects.get_or_create(qualification=qualification)
    template.introduction = introduction.strip()
    template.save(update_fields=["introduction"])
    template.sections.all().delete()
    for position, spec in enumerate(sections, start=1):
        section = TemplateSection.objects.create(
            template=template,
            position=position,
            title=spec.title.strip(),
            guidance=spec.guidance.strip(),
            min_words=spec.min_words,
            max_words=spec.max_words,
            is_sample=spec.is_sample,
        )
        EvidenceRequirement.objects.bulk_create(
            EvidenceRequirement(
                section=section,
                position=index,
                kind=r.kind,
                description=r.description.strip(),
                min_count=r.min_count,
                attestor_relationship=r.attestor_relationship.strip(),
            )
            for index, r in enumerate(spec.requirements, start=1)
        )
    _audit(
        actor,
        "catalogue.template_replaced",
        qualification,
        qualification.owner,
        sections=len(sections),
        requirements=sum(len(s.requirements) for s in sections),
    )
    return template
