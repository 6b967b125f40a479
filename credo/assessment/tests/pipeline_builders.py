"""Learners at each stage of the pipeline, for the pipeline's tests.

Submissions are real (``builders.submitted``, through the portfolios' services); what happened after is written
straight onto the assessment's row, in the states the assessment services leave it in, so that the counting can be
tested on its own (the services' own tests prove the transitions). ``at_every_stage`` makes one cohort with
learners at every stage, and a few who must not be counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from credo.accounts.models import User
from credo.assessment.models import Assessment, AssessmentState, Outcome
from credo.assessment.services.pipeline import Stage
from credo.catalogue.models import Qualification
from credo.portfolios.models import Submission
from credo.portfolios.services.submissions import reopen_for_resubmission
from credo.programmes.models import Cohort, EnrolmentState
from credo.programmes.services import cohorts
from credo.programmes.tests.builders import cohort_2024

from .builders import resubmitted, submitted


def second_cohort(admin: User, qualification: Qualification) -> Cohort:
    """A 2024 cohort of another programme of the same provider (the shared ``cld_cohort`` and ``seg_cohort``
    fixtures both name their programme "cld-facilitation", so they cannot both be made at one centre)."""
    provider = admin.memberships.get(role="programme_admin").organisation
    programme = cohorts.create_programme(
        actor=admin,
        provider=provider,
        qualification=qualification,
        name="Community organising",
        slug="community-organising",
        summary="Organise your community, and have it recognised.",
    )
    return cohort_2024(admin, programme)


def assessed(
    submission: Submission,
    assessor: User,
    state: str = AssessmentState.ASSIGNED,
    *,
    outcome: str = "",
    released: bool = False,
    final: bool = False,
) -> Assessment:
    """The submission's assessment, left in ``state`` (completed ones with ``outcome``, released or not)."""
    now = timezone.now()
    completed = state == AssessmentState.COMPLETED
    return Assessment.objects.create(
        submission=submission,
        cohort=submission.portfolio.enrolment.cohort,
        learner=submission.portfolio.enrolment.learner,
        attempt=submission.attempt,
        assessor=assessor,
        assigned_by=assessor,
        assigned_at=now,
        due_on=submission.portfolio.enrolment.cohort.assessment_ends,
        state=state,
        outcome=outcome,
        completed_at=now if completed else None,
        released_at=now if released else None,
        is_final=final,
    )


def set_enrolment_state(submission: Submission, state: str) -> None:
    enrolment = submission.portfolio.enrolment
    enrolment.state = state
    enrolment.save(update_fields=["state"])


@dataclass
class Everyone:
    """Who is where: the stage each learner (by email) should be counted in, and the cohort's expected counts."""

    cohort: Cohort
    expected: dict[Stage, int]


def at_every_stage(cohort: Cohort, assessor: User, admin: User) -> Everyone:
    """One or two learners at each stage, and three who are not counted (studying, withdrawn, deferred)."""
    nyc, competent = Outcome.NOT_YET_COMPETENT, Outcome.COMPETENT
    done = AssessmentState.COMPLETED

    submitted(cohort, "waiting@example.org")  # submitted, no assessor yet
    assessed(submitted(cohort, "assigned@example.org"), assessor)
    assessed(submitted(cohort, "drafting@example.org"), assessor, AssessmentState.DRAFT)
    assessed(submitted(cohort, "referred@example.org"), assessor, AssessmentState.REFERRED)
    assessed(submitted(cohort, "moderating@example.org"), assessor, done, outcome=competent)
    first = submitted(cohort, "resubmitting@example.org")
    assessed(first, assessor, done, outcome=nyc, released=True)
    reopen_for_resubmission(
        portfolio=first.portfolio, actor=admin, deadline=timezone.now() + datetime.timedelta(days=28)
    )
    assessed(submitted(cohort, "second-go@example.org"), assessor, done, outcome=nyc, released=True)
    # Attempt 1 not yet competent, attempt 2 submitted: counted once, by the latest attempt (waiting for an assessor).
    again = submitted(cohort, "resubmitted@example.org")
    assessed(again, assessor, done, outcome=nyc, released=True)
    reopen_for_resubmission(
        portfolio=again.portfolio, actor=admin, deadline=timezone.now() + datetime.timedelta(days=28)
    )
    resubmitted(again)
    assessed(submitted(cohort, "final@example.org"), assessor, done, outcome=nyc, released=True, final=True)
    assessed(submitted(cohort, "ratifying@example.org"), assessor, done, outcome=competent, released=True)
    awarded = submitted(cohort, "awarded@example.org")
    assessed(awarded, assessor, done, outcome=competent, released=True)
    set_enrolment_state(awarded, EnrolmentState.AWARDED)
    # Not counted: left the cohort after submitting.
    set_enrolment_state(submitted(cohort, "withdrawn@example.org"), EnrolmentState.WITHDRAWN)
    set_enrolment_state(submitted(cohort, "deferred@example.org"), EnrolmentState.DEFERRED)
    return Everyone(
        cohort=cohort,
        expected={
            Stage.SUBMITTED: 2,
            Stage.IN_ASSESSMENT: 3,
            Stage.AWAITING_MODERATION: 1,
            Stage.MAY_RESUBMIT: 2,
            Stage.NOT_YET_COMPETENT_FINAL: 1,
            Stage.AWAITING_AWARD: 1,
            Stage.AWARDED: 1,
        },
    )
