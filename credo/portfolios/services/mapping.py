"""Mapping evidence to assessment criteria (or, for a micro-credential, competencies), and the gap matrix: which
criteria have evidence and which do not."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from credo.catalogue.models import AssessmentCriterion, Competency
from credo.portfolios.models import CompetencyMapping, CriterionMapping, EvidenceItem, Portfolio
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


def competencies_of(qualification_id: int) -> QuerySet[Competency]:
    """What a micro-credential (which has no units, so no criteria) assesses, in order."""
    return Competency.objects.filter(qualification_id=qualification_id).order_by("number", "id")


@transaction.atomic
def map_competencies(*, item: EvidenceItem, actor: Any, competencies: Iterable[Competency]) -> list[CompetencyMapping]:
    """Say this item is evidence for these competencies (of the portfolio's qualification only); kept if mapped."""
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    wanted = {competency.pk: competency for competency in competencies}
    if not wanted:
        raise ValidationError({"competencies": "Choose at least one competency."})
    allowed = set(competencies_of(_qualification_id(item.portfolio)).filter(pk__in=wanted).values_list("pk", flat=True))
    if foreign := [wanted[pk] for pk in wanted if pk not in allowed]:
        named = ", ".join(f"C{c.number} {c.title}" for c in foreign)
        raise ValidationError(
            {
                "competencies": "These competencies are not part of this qualification, so evidence cannot be mapped "
                f"to them: {named}."
            }
        )
    already = set(CompetencyMapping.objects.filter(item=item).values_list("competency_id", flat=True))
    added = CompetencyMapping.objects.bulk_create(
        CompetencyMapping(item=item, competency_id=pk) for pk in sorted(wanted) if pk not in already
    )
    if added:
        audit(actor, "evidence_mapped", item, item.portfolio, competencies=sorted(m.competency_id for m in added))
    return list(CompetencyMapping.objects.filter(item=item))


@transaction.atomic
def unmap_competencies(*, item: EvidenceItem, actor: Any, competencies: Iterable[Competency]) -> None:
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    ids = sorted({competency.pk for competency in competencies})
    deleted, _ = CompetencyMapping.objects.filter(item=item, competency_id__in=ids).delete()
    if deleted:
        audit(actor, "evidence_unmapped", item, item.portfolio, competencies=ids)


@transaction.atomic
def set_mapping(
    *, item: EvidenceItem, actor: Any, criterion_ids: Iterable[int] = (), competency_ids: Iterable[int] = ()
) -> None:
    """Make the item's mapping exactly these criteria and competencies (a form of checkboxes sends the whole set).

    All or nothing: an id that is not the qualification's refuses the whole change, naming it, and nothing moves.
    """
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    qualification_id = _qualification_id(item.portfolio)
    criterion_wanted, competency_wanted = set(criterion_ids), set(competency_ids)
    criteria = {c.pk: c for c in criteria_of(qualification_id).filter(pk__in=criterion_wanted)}
    competencies = {c.pk: c for c in competencies_of(qualification_id).filter(pk__in=competency_wanted)}
    problems: dict[str, str] = {}
    if unknown := sorted(criterion_wanted - set(criteria)):
        problems["criteria"] = (
            "Some of the criteria chosen are not part of this qualification (reload the page and choose again): "
            f"{len(unknown)} not found."
        )
    if unknown := sorted(competency_wanted - set(competencies)):
        problems["competencies"] = (
            "Some of the competencies chosen are not part of this qualification (reload the page and choose again): "
            f"{len(unknown)} not found."
        )
    if problems:
        raise ValidationError(problems)
    mapped_criteria = set(CriterionMapping.objects.filter(item=item).values_list("criterion_id", flat=True))
    mapped_competencies = set(CompetencyMapping.objects.filter(item=item).values_list("competency_id", flat=True))
    if gone := mapped_criteria - criterion_wanted:
        unmap(item=item, actor=actor, criteria=AssessmentCriterion.objects.filter(pk__in=gone))
    if new := criterion_wanted - mapped_criteria:
        map_evidence(item=item, actor=actor, criteria=[criteria[pk] for pk in sorted(new)])
    if gone := mapped_competencies - competency_wanted:
        unmap_competencies(item=item, actor=actor, competencies=Competency.objects.filter(pk__in=gone))
    if new := competency_wanted - mapped_competencies:
        map_competencies(item=item, actor=actor, competencies=[competencies[pk] for pk in sorted(new)])


@dataclass
class CriterionRow:
    """One row of the gap matrix: an assessment criterion or (for a micro-credential) a competency, and its evidence."""

    criterion: AssessmentCriterion | None = None
    items: list[EvidenceItem] = field(default_factory=list)
    competency: Competency | None = None

    @property
    def covered(self) -> bool:
        return bool(self.items)

    @property
    def code(self) -> str:
        """How the row is named for short: 'Y/615/8308 AC1.1', or 'C1' for a competency."""
        if self.criterion is not None:
            return f"{self.criterion.outcome.unit.code} AC{self.criterion.number}"
        return f"C{self.competency.number}" if self.competency is not None else ""

    @property
    def text(self) -> str:
        if self.criterion is not None:
            return self.criterion.text
        return self.competency.title if self.competency is not None else ""

    @property
    def key(self) -> int:
        target = self.criterion or self.competency
        return int(target.pk) if target is not None else 0


#: What the rows of a gap matrix are.
CRITERIA, COMPETENCIES = "criteria", "competencies"


@dataclass
class GapMatrix:
    rows: list[CriterionRow]
    items: list[EvidenceItem]
    kind: str = CRITERIA

    @property
    def covered_count(self) -> int:
        return sum(1 for row in self.rows if row.covered)

    @property
    def gaps(self) -> list[CriterionRow]:
        return [row for row in self.rows if not row.covered]

    def is_mapped(self, row: CriterionRow, item: EvidenceItem) -> bool:
        return item in row.items


def gap_matrix(*, portfolio: Portfolio) -> GapMatrix:
    """Criteria (or, with none, competencies) by evidence, in at most five queries however many items there are."""
    portfolio = Portfolio.objects.select_related("enrolment__cohort__programme").get(pk=portfolio.pk)
    qualification_id = _qualification_id(portfolio)
    criteria = list(criteria_of(qualification_id))
    items = list(
        EvidenceItem.objects.filter(portfolio=portfolio)
        .select_related("section")
        .order_by("section__position", "created_at", "id")
    )
    by_id = {item.pk: item for item in items}
    order = {item.pk: index for index, item in enumerate(items)}
    mapped: dict[int, list[EvidenceItem]] = defaultdict(list)

    def in_order(found: list[EvidenceItem]) -> list[EvidenceItem]:
        return sorted(found, key=lambda i: order[i.pk])

    if criteria:
        for criterion_id, item_id in CriterionMapping.objects.filter(item__portfolio=portfolio).values_list(
            "criterion_id", "item_id"
        ):
            mapped[criterion_id].append(by_id[item_id])
        rows = [CriterionRow(criterion=c, items=in_order(mapped[c.pk])) for c in criteria]
        return GapMatrix(rows=rows, items=items, kind=CRITERIA)
    competencies = list(competencies_of(qualification_id))
    if competencies:
        for competency_id, item_id in CompetencyMapping.objects.filter(item__portfolio=portfolio).values_list(
            "competency_id", "item_id"
        ):
            mapped[competency_id].append(by_id[item_id])
    rows = [CriterionRow(competency=c, items=in_order(mapped[c.pk])) for c in competencies]
    return GapMatrix(rows=rows, items=items, kind=COMPETENCIES)
