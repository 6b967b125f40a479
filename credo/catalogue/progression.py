"""Progression and credit transfer: given the units a learner has achieved, which
qualifications are complete, and exactly what is missing for the others.

A unit counts wherever it appears: the three L3 Award units are also mandatory
in the L3 Certificate, so holding them leaves the Certificate's other six to do.
The functions here read a qualification prefetched by `with_structure()` and do
no queries of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from credo.catalogue.models import GroupKind, Qualification, QualificationQuerySet, RuleGroup, Unit


@dataclass(frozen=True)
class GroupProgress:
    group: RuleGroup
    achieved: tuple[Unit, ...]
    remaining: tuple[Unit, ...]
    units_short: int
    credits_short: int

    @property
    def satisfied(self) -> bool:
        return self.units_short == 0 and self.credits_short == 0

    def shortfall_text(self) -> str:
        """What is still needed for this group, in words."""
        if self.satisfied:
            return "Done."
        if self.group.kind == GroupKind.MANDATORY:
            return f"{self.units_short} more unit{'s' if self.units_short != 1 else ''} needed: all of those listed."
        needs = []
        if self.units_short:
            needs.append(f"{self.units_short} more unit{'s' if self.units_short != 1 else ''}")
        if self.credits_short:
            needs.append(f"{self.credits_short} more credits")
        return " and ".join(needs).capitalize() + " from those listed."


@dataclass(frozen=True)
class QualificationProgress:
    qualification: Qualification
    groups: tuple[GroupProgress, ...]
    credits_achieved: int
    credits_short: int

    @property
    def complete(self) -> bool:
        return self.credits_short == 0 and all(g.satisfied for g in self.groups)

    @property
    def units_achieved(self) -> tuple[Unit, ...]:
        return tuple(unit for group in self.groups for unit in group.achieved)

    @property
    def units_needed(self) -> tuple[Unit, ...]:
        """The units the learner must still take where there is no choice (mandatory groups)."""
        return tuple(
            unit for group in self.groups if group.group.kind == GroupKind.MANDATORY for unit in group.remaining
        )

    @property
    def started(self) -> bool:
        return bool(self.units_achieved)


def _group_progress(group: RuleGroup, achieved_codes: frozenset[str]) -> GroupProgress:
    units = [membership.unit for membership in group.memberships.all()]
    done = tuple(unit for unit in units if unit.code in achieved_codes)
    remaining = tuple(unit for unit in units if unit.code not in achieved_codes)
    credits_done = sum(unit.credits or 0 for unit in done)
    if group.kind == GroupKind.MANDATORY:
        return GroupProgress(group, done, remaining, units_short=len(remaining), credits_short=0)
    units_short = max(0, (group.min_units or 0) - len(done))
    credits_short = max(0, (group.min_credits or 0) - credits_done)
    return GroupProgress(group, done, remaining, units_short=units_short, credits_short=credits_short)


def progress_towards(qualification: Qualification, achieved_unit_codes: Iterable[str]) -> QualificationProgress:
    codes = frozenset(achieved_unit_codes)
    groups = tuple(_group_progress(group, codes) for group in qualification.rule_groups.all())
    credits = sum(unit.credits or 0 for group in groups for unit in group.achieved)
    credits_short = max(0, (qualification.credits or 0) - credits)
    return QualificationProgress(qualification, groups, credits_achieved=credits, credits_short=credits_short)


def progression_for(
    achieved_unit_codes: Iterable[str], qualifications: QualificationQuerySet | None = None
) -> list[QualificationProgress]:
    """Progress towards every unit-based live qualification: complete ones first, then
    those already started (fewest units to go first), then the rest."""
    codes = frozenset(achieved_unit_codes)
    queryset = qualifications if qualifications is not None else Qualification.objects.live()
    results = [
        progress_towards(qualification, codes)
        for qualification in queryset.with_structure()
        if qualification.rule_groups.all()
    ]
    return sorted(
        results,
        key=lambda p: (
            not p.complete,
            not p.started,
            sum(g.units_short for g in p.groups),
            p.qualification.level.number,
            p.qualification.code,
        ),
    )
