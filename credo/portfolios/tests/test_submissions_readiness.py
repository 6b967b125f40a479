"""The readiness check: required evidence blocks, advice warns, and many portfolios cost the same queries as one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.portfolios.models import Portfolio, PortfolioSection
from credo.portfolios.services import evidence, mapping
from credo.portfolios.services.portfolios import portfolio_for
from credo.portfolios.services.readiness import check_readiness, readiness_of
from credo.programmes.models import Cohort

from .builders import PDF, studying, upload
from .submission_builders import CASE_STUDY, attested

pytestmark = pytest.mark.django_db


def _require(section: PortfolioSection, *requirements: dict[str, object]) -> None:
    section.requirements = list(requirements)
    section.save(update_fields=["requirements"])


def test_an_empty_portfolio_is_blocked(cld_portfolio: Portfolio) -> None:
    readiness = check_readiness(cld_portfolio)
    assert not readiness.ready
    assert "There is no evidence in the portfolio yet." in readiness.blocks


def test_an_attestation_counts_only_for_its_own_requirement_once_completed(
    cld_portfolio: Portfolio, aroha: User
) -> None:
    first = cld_portfolio.sections.get(position=1)
    evidence.add_text(section=first, actor=aroha, title="Case study", html=CASE_STUDY)
    attested(first, requirement=1)
    (block,) = check_readiness(cld_portfolio).sections[0].blocks
    assert block == "An attestation from a participant: 0 attestations received of the 1 needed."
    attested(first, requirement=0)
    assert check_readiness(cld_portfolio).ready


def test_required_text_files_and_links_are_counted_per_kind(cld_portfolio: Portfolio, aroha: User) -> None:
    second = cld_portfolio.sections.get(position=2)
    _require(
        second,
        {"kind": "text", "description": "A reflection", "min_count": 1},
        {"kind": "text", "description": "A plan", "min_count": 1},
        {"kind": "file", "description": "An agenda", "min_count": 1},
        {"kind": "link", "description": "A newsletter", "min_count": 1},
    )
    evidence.add_text(section=second, actor=aroha, title="Reflection", html="<p>Thinking.</p>")
    evidence.add_text(section=second, actor=aroha, title="Empty draft", html="")  # no words: not evidence yet
    blocks = check_readiness(cld_portfolio).sections[1].blocks
    assert blocks == [
        "A plan: 0 pieces of written text here of the 1 needed.",
        "An agenda: 0 files here of the 1 needed.",
        "A newsletter: 0 links here of the 1 needed.",
    ]
    evidence.add_text(section=second, actor=aroha, title="Plan", html="<p>Next year.</p>")
    evidence.add_file(section=second, actor=aroha, uploaded_file=upload(PDF), title="Agenda")
    evidence.add_link(section=second, actor=aroha, title="Newsletter", url="https://example.org/news")
    assert check_readiness(cld_portfolio).sections[1].ready


def test_the_suggested_length_is_a_warning_not_a_block(cld_portfolio: Portfolio, aroha: User) -> None:
    first = cld_portfolio.sections.get(position=1)
    evidence.add_text(section=first, actor=aroha, title="Case study", html="<p>Too short.</p>")
    attested(first)
    readiness = check_readiness(cld_portfolio)
    assert readiness.ready
    assert (
        "The writing here is 2 words; the suggested length is 1,500 to 2,500 words." in readiness.sections[0].warnings
    )


def test_criteria_with_no_evidence_are_warnings_under_their_units_section(seg_portfolio: Portfolio, sam: User) -> None:
    first, _second = seg_portfolio.sections.order_by("position")
    item = evidence.add_text(section=first, actor=sam, title="Account", html="<p>What I did.</p>")
    criteria = list(mapping.criteria_of(seg_portfolio.enrolment.cohort.programme.qualification_id))
    mapping.map_evidence(item=item, actor=sam, criteria=[criteria[0]])
    readiness = check_readiness(seg_portfolio)
    assert readiness.ready
    unit_one, unit_two = readiness.sections
    assert unit_one.warnings == [
        f"No evidence is mapped to 1 assessment criterion: {criteria[1].outcome.unit.code} AC1.2."
    ]
    assert "There is nothing in this section yet." in unit_two.warnings
    assert any("2 assessment criteria" in w for w in unit_two.warnings)


def test_readiness_of_many_portfolios_takes_the_same_queries_as_of_two(
    cld_cohort: Cohort, provider_admin: User
) -> None:
    def build(count: int, start: int) -> list[Portfolio]:
        made = []
        for n in range(start, start + count):
            enrolment = studying(cld_cohort, provider_admin, f"learner{n}@example.org")
            portfolio = portfolio_for(enrolment=enrolment)
            first = portfolio.sections.get(position=1)
            for k in range(3):
                evidence.add_text(section=first, actor=enrolment.learner, title=f"T{k}", html="<p>Words here.</p>")
            attested(first)
            made.append(portfolio)
        return made

    few = build(2, 0)
    with CaptureQueriesContext(connection) as for_few:
        assert len(readiness_of(few)) == 2
    many = few + build(8, 2)
    with CaptureQueriesContext(connection) as for_many:
        result = readiness_of(many)
    assert len(for_many.captured_queries) == len(for_few.captured_queries) <= 8
    assert all(r.ready for r in result.values())
