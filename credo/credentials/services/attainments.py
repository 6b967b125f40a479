"""Attainments: the record that a learner has earned an achievement.

When a learner's unit attainments complete a qualification's rules of
combination, the qualification attainment follows, naming the units it rests on.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credo.audit.services import record_event
from credo.catalogue.models import Qualification
from credo.catalogue.progression import progress_towards
from credo.credentials.models import Achievement, AchievementKind, Attainment, Route
from credo.credentials.services.achievements import achievement_for_qualification


def record_attainment(
    *,
    learner: Any,
    achievement: Achievement,
    route: str,
    attained_on: datetime.date,
    decided_by: Any,
    note: str = "",
    evidence: Sequence[dict[str, str]] = (),
) -> Attainment:
    """Record that ``learner`` earned ``achievement``; refuses a second record of the same achievement.

    ``evidence``: what the learner chose to share in the credential, as OB 3.0 Evidence ({"id", "name",
    "description"}; the id an absolute URI).
    """
    if route not in Route.values or route == Route.RULES_OF_COMBINATION:
        raise ValidationError({"route": f"Choose how it was earned: {', '.join(Route.values[:4])}."})
    if attained_on > datetime.date.today():
        raise ValidationError({"attained_on": "The date it was earned cannot be in the future."})
    try:
        with transaction.atomic():
            attainment = Attainment.objects.create(
                learner=learner,
                achievement=achievement,
                route=route,
                attained_on=attained_on,
                decided_by=decided_by if getattr(decided_by, "is_authenticated", False) else None,
                note=note,
                evidence=list(evidence),
            )
            record_event(
                actor=decided_by,
                action="credentials.attained",
                obj=attainment,
                organisation_id=achievement.issuer.organisation_id,
                details={
                    "learner": learner.email,
                    "achievement": str(achievement),
                    "route": route,
                    "attained_on": attained_on,
                    "note": note,
                },
            )
            if achievement.kind == AchievementKind.UNIT:
                complete_qualifications(learner, actor=decided_by, on=attained_on)
    except IntegrityError:
        raise ValidationError(f"{learner.email} already holds {achievement}.") from None
    return attainment


def complete_qualifications(learner: Any, *, actor: Any, on: datetime.date) -> list[Attainment]:
    """Record the qualifications the learner's unit attainments now complete, if not already held."""
    units = {
        a.achievement.unit.code: a
        for a in Attainment.objects.filter(learner=learner, achievement__kind=AchievementKind.UNIT).select_related(
            "achievement__unit"
        )
        if a.achievement.unit is not None
    }
    if not units:
        return []
    held = set(
        Attainment.objects.filter(learner=learner, achievement__qualification__isnull=False).values_list(
            "achievement__qualification__code", flat=True
        )
    )
    candidates = (
        Qualification.objects.live()
        .filter(rule_groups__memberships__unit__code__in=units)
        .exclude(code__in=held)
        .distinct()
        .with_structure()
    )
    completed = []
    for qualification in candidates:
        progress = progress_towards(qualification, units)
        if not progress.complete:
            continue
        achievement = achievement_for_qualification(qualification)
        attainment = Attainment.objects.create(
            learner=learner,
            achievement=achievement,
            route=Route.RULES_OF_COMBINATION,
            attained_on=on,
            note=f"Completed by units {', '.join(u.code for u in progress.units_achieved)}.",
        )
        attainment.components.set([units[u.code] for u in progress.units_achieved])
        record_event(
            actor=actor,
            action="credentials.attained",
            obj=attainment,
            organisation_id=achievement.issuer.organisation_id,
            details={
                "learner": learner.email,
                "achievement": str(achievement),
                "route": Route.RULES_OF_COMBINATION,
                "units": [u.code for u in progress.units_achieved],
            },
        )
        completed.append(attainment)
    return completed
