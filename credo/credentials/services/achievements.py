"""Achievements derived from the catalogue: one per micro-credential, qualification and unit.

Each is made once per issuer and catalogue entry (the database refuses a
second), as a snapshot of what the catalogue said at the time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credo.audit.services import record_event
from credo.catalogue.models import CodeScheme, GroupKind, Qualification, QualificationKind, Status, Unit
from credo.credentials import links
from credo.credentials.models import Achievement, AchievementKind, Issuer
from credo.credentials.ob3 import compose

_ACHIEVEMENT_TYPES = {
    QualificationKind.AWARD: "Award",
    QualificationKind.CERTIFICATE: "Certificate",
    QualificationKind.DIPLOMA: "Diploma",
    QualificationKind.MICRO_CREDENTIAL: "MicroCredential",
}
# OB 3.0 has no word for a unit of a regulated qualification; "ext:" marks our own term.
UNIT_ACHIEVEMENT_TYPE = "ext:QualificationUnit"
OFQUAL_QN = "ext:OfqualQualificationNumber"
OFQUAL_URN = "ext:OfqualUnitReferenceNumber"


def _issuer_of(owner_id: int) -> Issuer:
    issuer = Issuer.objects.filter(organisation_id=owner_id).first()
    if issuer is None:
        raise ValidationError("The catalogue entry's owner has no issuer profile yet, so nothing can be awarded.")
    return issuer


def _qualification_criteria(qualification: Qualification) -> str:
    if qualification.kind == QualificationKind.MICRO_CREDENTIAL:
        template = getattr(qualification, "portfolio_template", None)
        sections = [f"{s.position}. {s.title}" for s in template.sections.order_by("position")] if template else []
        lines = ["A portfolio of evidence, assessed, moderated and ratified by the issuing institution."]
        return "\n".join([*lines, *sections])
    lines = ["Achieve the qualification's rules of combination:"]
    for group in qualification.rule_groups.order_by("position"):
        units = ", ".join(f"{m.unit.code} {m.unit.title}" for m in group.memberships.order_by("position"))
        if group.kind == GroupKind.MANDATORY:
            lines.append(f"{group.name}: all of {units}.")
        else:
            needs = " and ".join(
                part
                for part in (
                    f"at least {group.min_units} units" if group.min_units else "",
                    f"at least {group.min_credits} credits" if group.min_credits else "",
                )
                if part
            )
            lines.append(f"{group.name}: {needs or 'any'} from {units}.")
    return "\n".join(lines)


def _unit_criteria(unit: Unit) -> str:
    outcomes = [f"{o.number}. {o.text}" for o in unit.outcomes.order_by("number")]
    return "\n".join([f"Achieve every learning outcome of unit {unit.code}:", *outcomes])


def _create(values: dict[str, object]) -> Achievement:
    try:
        with transaction.atomic():
            return Achievement.objects.create(**values)
    except IntegrityError:
        # Another request made it first: the constraint guarantees there is exactly one.
        lookup = {k: values[k] for k in ("issuer", "qualification", "unit")}
        return Achievement.objects.get(**lookup)


def achievement_for_qualification(qualification: Qualification) -> Achievement:
    """The achievement for a published qualification or micro-credential, made on first use."""
    existing = Achievement.objects.filter(qualification=qualification, unit__isnull=True).first()
    if existing:
        return existing
    if qualification.status == Status.DRAFT:
        raise ValidationError(f"{qualification} is a draft: publish it before awarding it.")
    micro = qualification.kind == QualificationKind.MICRO_CREDENTIAL
    return _create(
        {
            "issuer": _issuer_of(qualification.owner_id),
            "kind": AchievementKind.MICRO_CREDENTIAL if micro else AchievementKind.QUALIFICATION,
            "qualification": qualification,
            "unit": None,
            "name": qualification.title,
            "description": qualification.summary or qualification.title,
            "criteria_narrative": _qualification_criteria(qualification),
            "achievement_type": _ACHIEVEMENT_TYPES[QualificationKind(qualification.kind)],
            "code": qualification.code,
            "code_type": OFQUAL_QN if qualification.framework.code_scheme == CodeScheme.OFQUAL else "identifier",
            "framework_name": qualification.framework.name,
            "framework_code": qualification.framework.code,
            "level_name": qualification.level.name,
            "level_number": qualification.level.number,
            "credits": qualification.credits,
        }
    )


def achievement_for_unit(unit: Unit) -> Achievement:
    existing = Achievement.objects.filter(unit=unit).first()
    if existing:
        return existing
    return _create(
        {
            "issuer": _issuer_of(unit.owner_id),
            "kind": AchievementKind.UNIT,
            "qualification": None,
            "unit": unit,
            "name": unit.title,
            "description": f"Unit {unit.code}: {unit.title}",
            "criteria_narrative": _unit_criteria(unit),
            "achievement_type": UNIT_ACHIEVEMENT_TYPE,
            "code": unit.code,
            "code_type": OFQUAL_URN if unit.framework.code_scheme == CodeScheme.OFQUAL else "identifier",
            "framework_name": unit.framework.name,
            "framework_code": unit.framework.code,
            "level_name": unit.level.name,
            "level_number": unit.level.number,
            "credits": unit.credits,
        }
    )


def as_ob3(achievement: Achievement, creator: compose.Profile) -> compose.Achievement:
    """The OB 3.0 Achievement a credential embeds."""
    alignments = []
    if achievement.level_name:
        alignments.append(
            compose.Alignment(
                target_name=f"{achievement.framework_code} {achievement.level_name}",
                target_url=links.achievement_url(achievement.public_id) + "#level",
                target_type="ext:QualificationLevel",
                target_code=str(achievement.level_number or ""),
                target_framework=achievement.framework_name,
            )
        )
    return compose.Achievement(
        id=links.achievement_url(achievement.public_id),
        name=achievement.name,
        description=achievement.description,
        criteria_narrative=achievement.criteria_narrative,
        criteria_url=links.achievement_url(achievement.public_id) + "#criteria",
        # Drawn from the achievement itself (see presentation.badge_png), so every achievement has one.
        image=links.achievement_url(achievement.public_id) + "/badge.png",
        achievement_type=achievement.achievement_type,
        human_code=achievement.code,
        credits_available=float(achievement.credits) if achievement.credits else None,
        alignments=alignments,
        identifiers=[compose.Identifier(achievement.code, achievement.code_type)] if achievement.code else [],
        creator=creator,
    )


MAX_VALIDITY_DAYS = 36_500  # a hundred years: anything longer is "no expiry"


@transaction.atomic
def set_validity(achievement: Achievement, *, actor: Any, valid_for_days: int | None) -> Achievement:
    """How long credentials for ``achievement`` stay valid from now on (``None``: they do not expire).

    Credentials already issued keep the validity they were signed with.
    """
    if valid_for_days is not None and not 1 <= valid_for_days <= MAX_VALIDITY_DAYS:
        raise ValidationError(
            {"valid_for_days": f"Give a number of days from 1 to {MAX_VALIDITY_DAYS:,}, or leave it empty for none."}
        )
    before = achievement.valid_for_days
    if before == valid_for_days:
        return achievement
    achievement.valid_for_days = valid_for_days
    achievement.save(update_fields=["valid_for_days"])
    record_event(
        actor=actor,
        action="credentials.achievement_validity_changed",
        obj=achievement,
        organisation_id=achievement.issuer.organisation_id,
        details={"before": before, "after": valid_for_days},
    )
    return achievement


def sync_achievements(issuer: Issuer) -> int:
    """Make the achievements of every published entry of the issuer's catalogue; returns how many were new.

    Achievements are otherwise made on first award; staff awarding by hand, or
    setting how long credentials stay valid, need to see them all beforehand.
    """
    made = 0
    existing_qualifications = set(issuer.achievements.filter(unit__isnull=True).values_list("qualification", flat=True))
    existing_units = set(issuer.achievements.filter(unit__isnull=False).values_list("unit", flat=True))
    for qualification in Qualification.objects.filter(owner=issuer.organisation, status=Status.LIVE).exclude(
        pk__in=existing_qualifications
    ):
        achievement_for_qualification(qualification)
        made += 1
    for unit in Unit.objects.filter(owner=issuer.organisation).exclude(pk__in=existing_units):
        achievement_for_unit(unit)
        made += 1
    return made
