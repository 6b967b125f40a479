"""Mapping evidence to assessment criteria, and the gap matrix: which criteria have evidence and which do not."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from credo.catalogue.models import AssessmentCriterion
from credo.portfolios.models import CriterionMapping, EvidenceItem, Portfolio
from credo.portfolios.services.common import audit, lock_item, require_learner


def criteria_of(qualification_id: int) -> QuerySet[AssessmentCriterion]:
    """The assessment criteria of every unit in the qualification, in unit, outcome and criterion order."""
    return (
        AssessmentCriterion.objects.filter(outcome__unit__group_memberships__qualification_id=qualification_id)
        .select_related("outcome__unit")
        .order_by("outcome__unit__code", "outcome__number", "number", "id")
        .distinct()
    )


def _qualification_id(portfolio: Portfolio) -> int:
    return int(portfolio.enrolment.cohort.programme.qualification_id)


@transaction.atomic
def map_evidence(*, item: EvidenceItem, actor: Any, criteria: Iterable[AssessmentCriterion]) -> list[CriterionMapping]:
    """Say this item is evidence for these criteria (of the portfolio's qualification only); already mapped is kept."""
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    wanted = {criterion.pk: criterion for criterion in criteria}
    if not wanted:
        raise ValidationError({"criteria": "Choose at least one assessment criterion."})
    allowed = set(criteria_of(_qualification_id(item.portfolio)).filter(pk__in=wanted).values_list("pk", flat=True))
    if foreign := [wanted[pk] for pk in wanted if pk not in allowed]:
        named = ", ".join(f"{c.outcome.unit.code} AC{c.number}" for c in foreign)
        raise ValidationError(
            {
                "criteria": f"These criteria are not part of this qualification, so evidence cannot be mapped to them: "
                f"{named}."
            }
        )
    already = set(CriterionMapping.objects.filter(item=item).values_list("criterion_id", flat=True))
    added = CriterionMapping.objects.bulk_create(
        CriterionMapping(item=item, criterion_id=pk) for pk in sorted(wanted) if pk not in already
    )
    if added:
        audit(actor, "evidence_mapped", item, item.portfolio, criteria=sorted(m.criterion_id for m in added))
    return list(CriterionMapping.objects.filter(item=item))


@transaction.atomic
def unmap(*, item: EvidenceItem, actor: Any, criteria: Iterable[AssessmentCriterion]) -> None:
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    ids = sorted({criterion.pk for criterion in criteria})
    deleted, _ = CriterionMapping.objects.filter(item=item, criterion_id__in=ids).delete()
    if deleted:
        audit(actor, "evidence_unmapped", item, item.portfolio, criteria=ids)


@dataclass
class CriterionRow:
    criterion: AssessmentCriterion
    items: list[EvidenceItem] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.items)


@dataclass
class GapMatrix:
    rows: list[CriterionRow]
    items: list[EvidenceItem]

    @property
    def covered_count(self) -> int:
        return sum(1 for row in self.rows if row.covered)

    @property
    def gaps(self) -> list[CriterionRow]:
        return [row for row in self.rows if not row.covered]

    def is_mapped(self, row: CriterionRow, item: EvidenceItem) -> bool:
        return item in row.items


def gap_matrix(*, portfolio: Portfolio) -> GapMatrix:
    """Criteria by evidence, in four queries however many items and criteria there are."""
    portfolio = Portfolio.objects.select_related("enrolment__cohort__programme").get(pk=portfolio.pk)
    criteria = list(criteria_of(_qualification_id(portfolio)))
    items = list(
        EvidenceItem.objects.filter(portfolio=portfolio)
        .select_related("section")
        .order_by("section__position", "created_at", "id")
    )
    by_id = {item.pk: item for item in items}
    mapped: dict[int, list[EvidenceItem]] = defaultdict(list)
    for criterion_id, item_id in CriterionMapping.objects.filter(item__portfolio=portfolio).values_list(
        "criterion_id", "item_id"
    ):
        mapped[criterion_id].append(by_id[item_id])
    order = {item.pk: index for index, item in enumerate(items)}
    rows = [CriterionRow(criterion=c, items=sorted(mapped[c.pk], key=lambda i: order[i.pk])) for c in criteria]
    return GapMatrix(rows=rows, items=items)
