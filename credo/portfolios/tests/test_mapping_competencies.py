"""A micro-credential has competencies, not units: evidence maps to them, and the gap matrix has a row for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue import services as catalogue
from credo.catalogue.models import Competency, Qualification, QualificationKind
from credo.catalogue.tests.builders import make_qualification
from credo.portfolios.models import CompetencyMapping, CriterionMapping, EvidenceItem, Portfolio
from credo.portfolios.services import evidence
from credo.portfolios.services.mapping import (
    criteria_of,
    gap_matrix,
    map_competencies,
    set_mapping,
    unmap_competencies,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def competencies(cld: Qualification) -> list[Competency]:
    return list(Competency.objects.filter(qualification=cld).order_by("number"))


def _text(portfolio: Portfolio, learner: User, title: str, position: int = 1) -> EvidenceItem:
    section = portfolio.sections.get(position=position)
    return evidence.add_text(section=section, actor=learner, title=title, html=f"<p>{title}</p>")


def test_an_item_maps_to_a_competency_once_and_unmaps_audited(
    cld_portfolio: Portfolio, aroha: User, competencies: list[Competency]
) -> None:
    item = _text(cld_portfolio, aroha, "Case study")
    map_competencies(item=item, actor=aroha, competencies=competencies)
    mapped = map_competencies(item=item, actor=aroha, competencies=competencies)  # again: kept once
    assert [m.competency for m in mapped] == competencies
    assert AuditEvent.objects.filter(action="portfolios.evidence_mapped").count() == 1
    unmap_competencies(item=item, actor=aroha, competencies=competencies)
    assert not CompetencyMapping.objects.exists()
    assert AuditEvent.objects.filter(action="portfolios.evidence_unmapped").count() == 1


def test_a_competency_of_another_qualification_is_refused_by_name(
    cld_portfolio: Portfolio, aroha: User, catalogue_admin: User, awarding_body: Any
) -> None:
    other = make_qualification(
        catalogue_admin, awarding_body, "7000078", "Another micro-credential", QualificationKind.MICRO_CREDENTIAL
    )
    catalogue.set_competencies(actor=catalogue_admin, qualification=other, competencies=[("Elsewhere", "")])
    foreign = Competency.objects.get(qualification=other)
    item = _text(cld_portfolio, aroha, "Case study")
    with pytest.raises(ValidationError) as refused:
        map_competencies(item=item, actor=aroha, competencies=[foreign])
    assert refused.value.message_dict["competencies"] == [
        "These competencies are not part of this qualification, so evidence cannot be mapped to them: C1 Elsewhere."
    ]
    with pytest.raises(ValidationError, match="Choose at least one competency"):
        map_competencies(item=item, actor=aroha, competencies=[])
    assert not CompetencyMapping.objects.exists()


def test_only_the_learner_maps_to_competencies(
    cld_portfolio: Portfolio, aroha: User, provider_admin: User, competencies: list[Competency]
) -> None:
    item = _text(cld_portfolio, aroha, "Case study")
    with pytest.raises(PermissionDenied):
        map_competencies(item=item, actor=provider_admin, competencies=competencies)
    with pytest.raises(PermissionDenied):
        set_mapping(item=item, actor=provider_admin, competency_ids=[c.pk for c in competencies])


def test_set_mapping_makes_the_mapping_exactly_what_was_chosen_or_changes_nothing(
    seg_portfolio: Portfolio, sam: User, seg: Qualification
) -> None:
    criteria = list(criteria_of(seg.pk))
    item = _text(seg_portfolio, sam, "Minutes")
    set_mapping(item=item, actor=sam, criterion_ids=[criteria[0].pk, criteria[1].pk])
    set_mapping(item=item, actor=sam, criterion_ids=[criteria[1].pk, criteria[2].pk])
    assert set(CriterionMapping.objects.values_list("criterion_id", flat=True)) == {criteria[1].pk, criteria[2].pk}
    with pytest.raises(ValidationError, match="not part of this qualification"):
        set_mapping(item=item, actor=sam, criterion_ids=[criteria[3].pk, 999_999])
    assert set(CriterionMapping.objects.values_list("criterion_id", flat=True)) == {criteria[1].pk, criteria[2].pk}
    set_mapping(item=item, actor=sam)
    assert not CriterionMapping.objects.exists()


def test_the_gap_matrix_of_competencies_shows_what_is_covered(
    cld_portfolio: Portfolio, aroha: User, competencies: list[Competency]
) -> None:
    case_study = _text(cld_portfolio, aroha, "Case study")
    reflection = _text(cld_portfolio, aroha, "Reflection", position=2)
    map_competencies(item=reflection, actor=aroha, competencies=competencies)
    map_competencies(item=case_study, actor=aroha, competencies=competencies)
    matrix = gap_matrix(portfolio=cld_portfolio)
    assert matrix.kind == "competencies"
    assert [(row.competency, row.items) for row in matrix.rows] == [(competencies[0], [case_study, reflection])]
    assert matrix.covered_count == 1
    assert matrix.gaps == []


@pytest.mark.parametrize("count", [3, 30])
def test_the_competency_gap_matrix_takes_the_same_queries_for_3_or_30_items(
    cld_portfolio: Portfolio,
    aroha: User,
    competencies: list[Competency],
    count: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    for n in range(count):
        item = _text(cld_portfolio, aroha, f"Item {n}", position=1 + n % 2)
        CompetencyMapping.objects.create(item=item, competency=competencies[0])
    with django_assert_num_queries(5):
        matrix = gap_matrix(portfolio=cld_portfolio)
    assert len(matrix.rows[0].items) == count
