"""Each learner's progress for staff: counted in a fixed number of queries, without making anyone's portfolio."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.portfolios.models import AttestationState, Portfolio
from credo.portfolios.services import evidence
from credo.portfolios.services.portfolios import portfolio_for
from credo.portfolios.services.progress import Stage, cohort_learners, cohort_summary, filter_learners, progress_of
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import enrol

from .builders import PDF, studying, upload
from .staff_builders import attestation_request, completed_attestation, submitted, text

pytestmark = pytest.mark.django_db


def test_a_learner_who_never_opened_their_portfolio_is_not_started_and_none_is_made(
    cld_enrolment: Enrolment,
) -> None:
    [row] = progress_of(Enrolment.objects.filter(pk=cld_enrolment.pk))
    assert (row.portfolio_id, row.stage, row.stage_label, row.items, row.attempt) == (
        None,
        Stage.NOT_STARTED,
        "Not started",
        0,
        1,
    )
    assert not Portfolio.objects.exists()


def test_evidence_words_sections_and_attestations_are_counted(cld_portfolio: Portfolio, aroha: User) -> None:
    text(cld_portfolio, "Case study", "<p>one two three</p><p>four</p>")
    text(cld_portfolio, "Notes", "<p>five six</p>")
    first = cld_portfolio.sections.get(position=1)
    evidence.add_file(section=first, actor=aroha, uploaded_file=upload(PDF))
    evidence.add_link(section=first, actor=aroha, title="Newsletter", url="https://example.org/news")
    completed_attestation(first)
    attestation_request(first, state=AttestationState.OPENED)
    attestation_request(first, state=AttestationState.DECLINED)
    [row] = progress_of(Enrolment.objects.filter(pk=cld_portfolio.enrolment_id))
    assert (row.sections, row.sections_started) == (2, 1)
    assert (row.items, row.texts, row.files, row.links, row.words) == (4, 2, 1, 1, 6)
    assert (row.attestations_received, row.attestations_pending) == (1, 1)
    # This builder's template asks for no particular evidence, so what is there already makes it ready.
    assert (row.stage, row.submitted) == (Stage.READY, False)


def test_a_submitted_attempt_shows_as_submitted_until_reopened(cld_portfolio: Portfolio) -> None:
    text(cld_portfolio)
    submitted(cld_portfolio)
    [row] = progress_of(Enrolment.objects.filter(pk=cld_portfolio.enrolment_id))
    assert (row.stage, row.attempt) == (Stage.SUBMITTED, 1)
    Portfolio.objects.filter(pk=cld_portfolio.pk).update(attempt=2, is_open=True)  # reopened for a resubmission
    [row] = progress_of(Enrolment.objects.filter(pk=cld_portfolio.enrolment_id))
    assert (row.stage, row.attempt) == (Stage.IN_PROGRESS, 2)


def test_readiness_comes_from_the_readiness_check(cld_portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    class Ready:
        ready = True

    monkeypatch.setattr(
        "credo.portfolios.services.progress._readiness", lambda portfolios: {p.pk: Ready() for p in portfolios}
    )
    text(cld_portfolio)
    [row] = progress_of(Enrolment.objects.filter(pk=cld_portfolio.enrolment_id))
    assert row.stage == Stage.READY
    cohort = cld_portfolio.enrolment.cohort
    assert list(filter_learners(cohort_learners(cohort), cohort=cohort, stage=Stage.READY)) == [cld_portfolio.enrolment]
    assert not filter_learners(cohort_learners(cohort), cohort=cohort, stage=Stage.IN_PROGRESS).exists()


def _many(cohort: Cohort, admin: User, count: int, start: int) -> None:
    for n in range(start, start + count):
        enrolment = studying(cohort, admin, f"learner{n}@example.org", f"Learner {n:02d}")
        portfolio = portfolio_for(enrolment=enrolment)
        text(portfolio, f"Text {n}")
        attestation_request(portfolio.sections.get(position=1))


def _queries(cohort: Cohort) -> int:
    with CaptureQueriesContext(connection) as captured:
        rows = progress_of(cohort_learners(cohort))
    assert all(row.items == 1 for row in rows)
    return len(captured)


def test_the_counts_cost_the_same_for_two_learners_or_twenty(cld_cohort: Cohort, provider_admin: User) -> None:
    _many(cld_cohort, provider_admin, 2, 0)
    few = _queries(cld_cohort)
    _many(cld_cohort, provider_admin, 18, 2)
    assert _queries(cld_cohort) == few <= 10  # the counts in one, and the readiness check's own fixed number


def test_the_cohort_lists_learners_studying_and_filters_by_stage_and_name(
    cld_cohort: Cohort, provider_admin: User, cld_portfolio: Portfolio
) -> None:
    enrol(cld_cohort, "applied@example.org", "Not Yet Studying")  # applied: no portfolio to follow
    idle = studying(cld_cohort, provider_admin, "idle@example.org", "Idle Learner")
    done = studying(cld_cohort, provider_admin, "done@example.org", "Done Learner")
    text(cld_portfolio)
    done_portfolio = portfolio_for(enrolment=done)
    text(done_portfolio)
    submitted(done_portfolio)

    def names(stage: str = "", search: str = "") -> list[str]:
        chosen = filter_learners(cohort_learners(cld_cohort), cohort=cld_cohort, stage=stage, search=search)
        return [e.learner.full_name for e in chosen]

    assert names() == ["Aroha Te Whare", "Done Learner", "Idle Learner"]
    assert names(Stage.NOT_STARTED) == ["Idle Learner"]
    assert names(Stage.IN_PROGRESS) == ["Aroha Te Whare"]
    assert names(Stage.SUBMITTED) == ["Done Learner"]
    assert names(Stage.READY) == []
    assert names(search="  IDLE ") == ["Idle Learner"]
    assert names(search="done@example") == ["Done Learner"]
    assert not Portfolio.objects.filter(enrolment=idle).exists()
    summary = cohort_summary(cld_cohort)
    assert (summary.studying, summary.started, summary.submitted) == (3, 2, 1)
