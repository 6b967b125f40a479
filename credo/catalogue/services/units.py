"""Units, with their learning outcomes and assessment criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from credo.accounts.models import Organisation
from credo.catalogue.models import (
    AssessmentCriterion,
    LearningOutcome,
    Unit,
)
from credo.catalogue.services.common import (
    audit,
    require_owner,
    require_unit_unpublished,
)

# Units ------------------------------------------------------------------------------------------

UNIT_FIELDS = ("title", "level", "credits", "guided_learning_hours")


@transaction.atomic
def create_unit(*, actor: Any, owner: Organisation, code: str, **fields: Any) -> Unit:
    require_owner(owner)
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Unit {code} is already in the catalogue."})
    unit = Unit(owner=owner, code=code, **fields)
    unit.full_clean()
    unit.save()
    audit(actor, "catalogue.unit_created", unit, owner, code=code)
    return unit


@transaction.atomic
def update_unit(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require_unit_unpublished(unit)
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = {name: value for name, value in changes.items() if getattr(unit, name) != value}
    for name, value in changed.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    if changed:
        audit(actor, "catalogue.unit_updated", unit, unit.owner, fields=sorted(changed))
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
    require_unit_unpublished(unit)
    if problems := outcome_problems(outcomes):
        raise ValidationError(problems)
    write_outcomes(unit, outcomes)
    audit(
        actor,
        "catalogue.unit_outcomes_set",
        unit,
        unit.owner,
        outcomes=len(outcomes),
        criteria=sum(len(o.criteria) for o in outcomes),
    )
