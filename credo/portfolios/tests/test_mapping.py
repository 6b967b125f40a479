"""Mapping evidence to the qualification's criteria, and the gap matrix, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue import services as catalogue
from credo.catalogue.models import AssessmentCriterion, Qualification
from credo.catalogue.services import CriterionSpec, OutcomeSpec
from credo.catalogue.tests.builders import make_unit
from credo.portfolios.models import CriterionMapping, EvidenceItem, Portfolio
from credo.portfolios.services import evidence
from credo.portfolios.services.mapping import criteria_of, gap_matrix, map_evidence, unmap

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(seg: Qualification) -> list[AssessmentCriterion]:
    return list(criteria_of(seg.pk))


def _text(portfolio: Portfolio, learner: User, title: str, position: int = 1) -> EvidenceItem:
    section = portfolio.sections.get(position=position)
    return evidence.add_text(section=section, actor=learner, title=title, html=f"<p>{title}</p>")


def test_the_qualifications_criteria_are_its_units(criteria: list[AssessmentCriterion]) -> None:
    assert [(c.outcome.unit.title, c.number) for c in criteria] == [
        ("Organising unit 1", "1.1"),
        ("Organising unit 1", "1.2"),
        ("Organising unit 2", "1.1"),
        ("Organising unit 2", "1.2"),
    ]


def test_an_item_maps_to_several_criteria_once_each(
    seg_portfolio: Portfolio, sam: User, criteria: list[AssessmentCriterion]
) -> None:
    item = _text(seg_portfolio, sam, "Minutes")
    map_evidence(item=item, actor=sam, criteria=criteria[:2])
    mappings = map_evidence(item=item, actor=sam, criteria=criteria[1:3])  # 1.2 again: kept once
    assert sorted(m.criterion_id for m in mappings) == sorted(c.pk for c in criteria[:3])
    assert AuditEvent.objects.filter(action="portfolios.evidence_mapped").count() == 2
    unmap(item=item, actor=sam, criteria=[criteria[0]])
    assert sorted(CriterionMapping.objects.values_list("criterion_id", flat=True)) == sorted(
        c.pk for c in criteria[1:3]
    )
    assert AuditEvent.objects.filter(action="portfolios.evidence_unmapped").count() == 1


def test_criteria_of_another_qualification_are_refused_by_name(
    seg_portfolio: Portfolio, sam: User, criteria: list[AssessmentCriterion], catalogue_admin: User, awarding_body: Any
) -> None:
    stranger = make_unit(catalogue_admin, awarding_body, "7000811", "Not in this award")
    catalogue.set_unit_outcomes(
        actor=catalogue_admin,
        unit=stranger,
        outcomes=[OutcomeSpec(number=1, text="Other", criteria=(CriterionSpec("3.4", "Elsewhere"),))],
    )
    foreign = AssessmentCriterion.objects.get(outcome__unit=stranger)
    item = _text(seg_portfolio, sam, "Minutes")
    with pytest.raises(ValidationError) as refused:
        map_evidence(item=item, actor=sam, criteria=[criteria[0], foreign])
    assert refused.value.message_dict["criteria"] == [
        "These criteria are not part of this qualification, so evidence cannot be mapped to them: "
        f"{stranger.code} AC3.4."
    ]
    assert not CriterionMapping.objects.exists()


def test_choosing_no_criteria_is_refused(seg_portfolio: Portfolio, sam: User) -> None:
    item = _text(seg_portfolio, sam, "Minutes")
    with pytest.raises(ValidationError, match="Choose at least one"):
        map_evidence(item=item, actor=sam, criteria=[])


def test_only_the_learner_maps_their_evidence(
    seg_portfolio: Portfolio, sam: User, provider_admin: User, criteria: list[AssessmentCriterion]
) -> None:
    item = _text(seg_portfolio, sam, "Minutes")
    with pytest.raises(PermissionDenied):
        map_evidence(item=item, actor=provider_admin, criteria=criteria[:1])
    with pytest.raises(PermissionDenied):
        unmap(item=item, actor=provider_admin, criteria=criteria[:1])


def test_the_gap_matrix_shows_what_is_covered_and_what_is_not(
    seg_portfolio: Portfolio, sam: User, criteria: list[AssessmentCriterion]
) -> None:
    minutes = _text(seg_portfolio, sam, "Minutes")
    plan = _text(seg_portfolio, sam, "Action plan", position=2)
    map_evidence(item=minutes, actor=sam, criteria=[criteria[0]])
    map_evidence(item=plan, actor=sam, criteria=[criteria[0], criteria[3]])
    matrix = gap_matrix(portfolio=seg_portfolio)
    assert [(row.criterion, row.items) for row in matrix.rows] == [
        (criteria[0], [minutes, plan]),
        (criteria[1], []),
        (criteria[2], []),
        (criteria[3], [plan]),
    ]
    assert matrix.items == [minutes, plan]
    assert matrix.covered_count == 2
    assert [row.criterion for row in matrix.gaps] == [criteria[1], criteria[2]]
    assert matrix.is_mapped(matrix.rows[3], plan)
    assert not matrix.is_mapped(matrix.rows[3], minutes)


def test_a_micro_credential_without_criteria_has_a_row_per_competency(cld_portfolio: Portfolio) -> None:
    matrix = gap_matrix(portfolio=cld_portfolio)
    assert matrix.kind == "competencies"
    competency = cld_portfolio.enrolment.cohort.programme.qualification.competencies.get()
    assert [(row.competency, row.code, row.text, row.covered) for row in matrix.rows] == [
        (competency, "C1", competency.title, False)
    ]


@pytest.mark.parametrize("count", [1, 50])
def test_the_gap_matrix_takes_the_same_queries_for_1_or_50_items(
    seg_portfolio: Portfolio,
    sam: User,
    criteria: list[AssessmentCriterion],
    count: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    for n in range(count):
        item = _text(seg_portfolio, sam, f"Item {n}", position=1 + n % 2)
        map_evidence(item=item, actor=sam, criteria=criteria[n % 4 : n % 4 + 2])
    with django_assert_num_queries(4):
        matrix = gap_matrix(portfolio=seg_portfolio)
        assert len(matrix.items) == count
    assert sum(len(row.items) for row in matrix.rows) == CriterionMapping.objects.count()
