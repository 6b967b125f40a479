"""Qualifications and their rules of combination.

Drafting, publishing, new versions and withdrawal; rule groups and their units;
competencies; progression routes and centre approvals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from credo.accounts.models import Organisation, OrganisationKind
from credo.catalogue.models import (
    CentreApproval,
    Competency,
    EvidenceRequirement,
    GroupKind,
    GroupUnit,
    PortfolioTemplate,
    ProgressionRoute,
    Qualification,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)
from credo.catalogue.services.common import (
    audit,
    require_draft,
    require_owner,
)

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
    require_owner(owner)
    if Qualification.objects.filter(code=code).exists():
        raise ValidationError({"code": f"{code} is already in the catalogue."})
    qualification = Qualification(owner=owner, code=code, version=1, status=Status.DRAFT, **fields)
    qualification.full_clean()
    qualification.save()
    audit(actor, "catalogue.qualification_created", qualification, owner, code=code, version=1)
    return qualification


@transaction.atomic
def update_qualification(*, actor: Any, qualification: Qualification, **changes: Any) -> Qualification:
    """Change a draft's own fields (not its code or owner)."""
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    require_draft(qualification)
    unknown = set(changes) - set(QUALIFICATION_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = {name: value for name, value in changes.items() if getattr(qualification, name) != value}
    for name, value in changed.items():
        setattr(qualification, name, value)
    qualification.full_clean()
    qualification.save()
    if changed:
        audit(
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
    audit(
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
    audit(actor, "catalogue.qualification_withdrawn", qualification, qualification.owner, reason=reason.strip())
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
    audit(
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
    require_draft(qualification)
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
    audit(actor, "catalogue.rule_group_added", qualification, qualification.owner, group=name, kind=kind)
    return group


@transaction.atomic
def remove_rule_group(*, actor: Any, group: RuleGroup) -> None:
    qualification = Qualification.objects.select_for_update().get(pk=group.qualification_id)
    require_draft(qualification)
    name = group.name
    group.delete()
    audit(actor, "catalogue.rule_group_removed", qualification, qualification.owner, group=name)


@transaction.atomic
def add_unit_to_group(*, actor: Any, group: RuleGroup, unit: Unit) -> GroupUnit:
    qualification = Qualification.objects.select_for_update().get(pk=group.qualification_id)
    require_draft(qualification)
    if unit.framework_id != qualification.framework_id:
        raise ValidationError(
            f"{unit.code} is a {unit.framework} unit; {qualification.code} is in {qualification.framework}."
        )
    if GroupUnit.objects.filter(qualification=qualification, unit=unit).exists():
        raise ValidationError(f"{unit.code} is already in {qualification.code}.")
    position = (group.memberships.aggregate(p=Max("position"))["p"] or 0) + 1
    membership = GroupUnit.objects.create(group=group, unit=unit, qualification=qualification, position=position)
    audit(
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
    require_draft(qualification)
    deleted, _ = GroupUnit.objects.filter(group=group, unit=unit).delete()
    if not deleted:
        raise ValidationError(f"{unit.code} is not in “{group.name}”.")
    audit(
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
        audit(
            actor,
            "catalogue.progression_added",
            from_qualification,
            from_qualification.owner,
            to=to_code,
        )


@transaction.atomic
def set_competencies(*, actor: Any, qualification: Qualification, competencies: list[tuple[str, str]]) -> None:
    """Replace a draft's competencies with (title, description) pairs, numbered in order."""
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    require_draft(qualification)
    blank = [str(i) for i, (title, _) in enumerate(competencies, start=1) if not title.strip()]
    if blank:
        raise ValidationError(f"Competency {', '.join(blank)} has no title.")
    qualification.competencies.all().delete()
    Competency.objects.bulk_create(
        Competency(qualification=qualification, number=i, title=title.strip(), description=description.strip())
        for i, (title, description) in enumerate(competencies, start=1)
    )
    audit(
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
        audit(
            actor,
            "catalogue.centre_approved",
            qualification,
            qualification.owner,
            centre=centre.slug,
            approved_on=approved_on,
        )
    return approval
