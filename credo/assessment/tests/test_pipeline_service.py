"""The pipeline counts each learner once, in the stage of their latest attempt, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import Organisation, User
from credo.assessment.models import AssessmentState, Outcome
from credo.assessment.services.pipeline import (
    AWAITING_CERTIFICATION,
    Stage,
    pipeline,
    pipelines,
    provider_pipelines,
    provider_totals,
)
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort, EnrolmentState

from .builders import submitted
from .pipeline_builders import assessed, at_every_stage, second_cohort, set_enrolment_state

pytestmark = pytest.mark.django_db


def test_an_empty_cohort_counts_nobody(cld_cohort: Cohort) -> None:
    found = pipeline(cld_cohort)
    assert found.counts == dict.fromkeys(Stage, 0)
    assert found.total == 0


def test_each_learner_is_counted_once_in_the_stage_of_their_latest_attempt(
    cld_cohort: Cohort, assessor: User, centre_admin: User
) -> None:
    everyone = at_every_stage(cld_cohort, assessor, centre_admin)

    found = pipeline(cld_cohort)

    assert found.counts == everyone.expected
    assert found.total == 11  # the withdrawn and the deferred learner are not counted
    assert found.in_progress == 9  # neither awarded nor final


def test_a_learner_studying_without_a_submission_is_not_in_the_pipeline(cld_cohort: Cohort, centre_admin: User) -> None:
    from credo.portfolios.tests.builders import studying

    studying(cld_cohort, centre_admin, "still-writing@example.org", "Still Writing")
    assert pipeline(cld_cohort).total == 0


def test_a_learner_awarded_without_a_submission_is_counted_as_awarded(cld_cohort: Cohort, centre_admin: User) -> None:
    from credo.portfolios.tests.builders import studying

    enrolment = studying(cld_cohort, centre_admin, "direct@example.org", "Directly Awarded")
    enrolment.state = EnrolmentState.AWARDED
    enrolment.save(update_fields=["state"])

    assert pipeline(cld_cohort).counts[Stage.AWARDED] == 1


def test_the_query_count_does_not_grow_with_the_submissions(
    cld_cohort: Cohort, assessor: User, centre_admin: User
) -> None:
    with CaptureQueriesContext(connection) as empty:
        pipeline(cld_cohort)
    at_every_stage(cld_cohort, assessor, centre_admin)
    with CaptureQueriesContext(connection) as full:
        found = pipeline(cld_cohort)
    assert found.total == 11
    assert len(full.captured_queries) == len(empty.captured_queries) == 2


def test_the_stage_before_the_award_is_named_by_the_way_out(
    cld_cohort: Cohort, seg: Qualification, centre_admin: User
) -> None:
    cld, seg_found = pipelines([cld_cohort, second_cohort(centre_admin, seg)])
    assert cld.by_ratification
    assert cld.label(Stage.AWAITING_AWARD) == "Competent, waiting for ratification"
    assert "issuing institution ratifies" in cld.who_next(Stage.AWAITING_AWARD)
    assert not seg_found.by_ratification
    assert seg_found.label(Stage.AWAITING_AWARD) == AWAITING_CERTIFICATION
    assert "awarding body" in seg_found.who_next(Stage.AWAITING_AWARD)


def test_cohorts_are_counted_apart(cld_cohort: Cohort, seg: Qualification, assessor: User, centre_admin: User) -> None:
    seg_cohort = second_cohort(centre_admin, seg)
    assessed(submitted(seg_cohort, "jordan@example.org"), assessor, AssessmentState.DRAFT)
    submitted(cld_cohort, "leilani@example.org")

    cld, seg_found = pipelines([cld_cohort, seg_cohort])

    assert cld.counts[Stage.SUBMITTED] == 1
    assert cld.counts[Stage.IN_ASSESSMENT] == 0
    assert seg_found.counts[Stage.IN_ASSESSMENT] == 1
    assert seg_found.counts[Stage.SUBMITTED] == 0


def test_a_provider_s_pipelines_come_a_page_at_a_time_newest_first(
    centre: Organisation, cld_cohort: Cohort, seg: Qualification, assessor: User, centre_admin: User
) -> None:
    seg_cohort = second_cohort(centre_admin, seg)
    cld_cohort.study_starts -= datetime.timedelta(days=1)  # the older of the two
    cld_cohort.save(update_fields=["study_starts"])
    competent = submitted(seg_cohort, "jordan@example.org")
    assessed(competent, assessor, AssessmentState.COMPLETED, outcome=Outcome.COMPETENT, released=True)

    first = provider_pipelines(centre, 1, per_page=1)
    second = provider_pipelines(centre, 2, per_page=1)

    assert first.page.paginator.count == 2
    assert [first.pipelines[0].cohort, second.pipelines[0].cohort] == [seg_cohort, cld_cohort]
    assert first.pipelines[0].counts[Stage.AWAITING_AWARD] == 1
    assert second.pipelines[0].total == 0


def test_a_page_of_pipelines_costs_the_same_queries_however_many_cohorts_and_submissions(
    centre: Organisation, cld_cohort: Cohort, seg: Qualification, assessor: User, centre_admin: User
) -> None:
    with CaptureQueriesContext(connection) as few:
        provider_pipelines(centre)
    at_every_stage(cld_cohort, assessor, centre_admin)
    submitted(second_cohort(centre_admin, seg), "jordan@example.org")
    with CaptureQueriesContext(connection) as many:
        found = provider_pipelines(centre)
    assert len(found.pipelines) == 2
    assert len(many.captured_queries) == len(few.captured_queries) == 4


def test_provider_totals_add_up_every_cohort_of_the_provider(
    centre: Organisation,
    cld_cohort: Cohort,
    seg: Qualification,
    assessor: User,
    centre_admin: User,
    other_centre_admin: User,
) -> None:
    everyone = at_every_stage(cld_cohort, assessor, centre_admin)
    set_enrolment_state(submitted(second_cohort(centre_admin, seg), "jordan@example.org"), EnrolmentState.AWARDED)
    other = other_centre_admin.memberships.get().organisation

    with CaptureQueriesContext(connection) as queries:
        totals = provider_totals([centre, other])

    assert len(queries.captured_queries) == 2
    assert totals[centre.pk] == {**everyone.expected, Stage.AWARDED: 2}
    assert totals[other.pk] == dict.fromkeys(Stage, 0)
