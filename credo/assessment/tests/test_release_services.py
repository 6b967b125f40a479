"""Releasing an outcome to the learner (services.release): resubmission, final with appeal, competent onwards."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.assessment.models import Outcome
from credo.assessment.services import moderation, release
from credo.assessment.services.common import settings_for
from credo.audit.models import AuditEvent
from credo.portfolios.feedback import feedback_for
from credo.programmes.models import Cohort

from .builders import resubmitted, submitted
from .moderation_builders import completed, moderated

pytestmark = pytest.mark.django_db


def test_not_yet_competent_with_an_attempt_left_reopens_the_portfolio_with_a_deadline(
    cld_cohort: Cohort, assessor: User, internal_qa: User, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = completed(
        submitted(cld_cohort, "aroha@example.org", "Aroha"), assessor, outcome=Outcome.NOT_YET_COMPETENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        assessment = moderated(assessment, internal_qa)
    assert assessment.released_at is not None
    assert not assessment.is_final
    portfolio = assessment.submission.portfolio
    portfolio.refresh_from_db()
    assert (portfolio.attempt, portfolio.is_open) == (2, True)
    # 20 August 2024 in Auckland + 28 days: the end of 17 September there.
    assert portfolio.resubmission_deadline == datetime.datetime(
        2024, 9, 17, 23, 59, 59, tzinfo=ZoneInfo("Pacific/Auckland")
    )
    email = next(m for m in mail.outbox if m.to == ["aroha@example.org"] and "result" in m.subject)
    assert "not yet competent" in email.body
    assert "Tuesday 17 September 2024, 11:59 PM" in email.body
    assert "attempt 2" in email.body
    assert f"/assessment/outcomes/{assessment.pk}/" in email.body
    # The assessor's comment on each section shows beside it while the learner works on attempt 2.
    assert feedback_for(portfolio)[1] == ["Describe your own part in the process."]
    event = AuditEvent.objects.get(action="assessment.released")
    assert event.details["resubmission_deadline"].startswith("2024-09-17T23:59:59")


def test_the_resubmission_period_is_the_cohorts_setting(cld_cohort: Cohort, assessor: User, internal_qa: User) -> None:
    found = settings_for(cld_cohort)
    found.resubmission_days = 10
    found.save()
    assessment = completed(submitted(cld_cohort, "a@example.org"), assessor, outcome=Outcome.NOT_YET_COMPETENT)
    moderated(assessment, internal_qa, sampled=False)
    portfolio = assessment.submission.portfolio
    portfolio.refresh_from_db()
    assert portfolio.resubmission_deadline.astimezone(ZoneInfo("Pacific/Auckland")).date() == datetime.date(2024, 8, 30)


def test_not_yet_competent_on_the_last_attempt_is_final_with_how_to_appeal(
    cld_cohort: Cohort, assessor: User, internal_qa: User, django_capture_on_commit_callbacks: Any
) -> None:
    first = moderated(
        completed(submitted(cld_cohort, "mere@example.org", "Mere"), assessor, outcome=Outcome.NOT_YET_COMPETENT),
        internal_qa,
    )
    second = completed(resubmitted(first.submission), assessor, outcome=Outcome.NOT_YET_COMPETENT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = moderated(second, internal_qa)
    assert second.attempt == 2
    assert second.is_final
    portfolio = second.submission.portfolio
    portfolio.refresh_from_db()
    assert not portfolio.is_open
    (email,) = [m for m in mail.outbox if m.to == ["mere@example.org"]]
    assert "final" in email.body
    assert "appeal" in email.body
    # Released 20 August in Auckland + 20 days.
    assert "Monday 9 September 2024, 11:59 PM" in email.body
    assert release.appeal_deadline(second) == datetime.datetime(
        2024, 9, 9, 23, 59, 59, tzinfo=ZoneInfo("Pacific/Auckland")
    )


@pytest.mark.parametrize(
    ("cohort_fixture", "words"),
    [
        ("cld_cohort", "Test Polytechnic, who ratify it"),
        ("seg_cohort", "external quality assurer"),
    ],
)
def test_competent_says_where_it_goes_next(
    cohort_fixture: str,
    words: str,
    request: pytest.FixtureRequest,
    assessor: User,
    internal_qa: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = request.getfixturevalue(cohort_fixture)
    assessment = completed(submitted(cohort, "kiri@example.org"), assessor)
    with django_capture_on_commit_callbacks(execute=True):
        moderated(assessment, internal_qa)
    (email,) = [m for m in mail.outbox if m.to == ["kiri@example.org"] and "result" in m.subject]
    assert "competent" in email.subject
    assert words in email.body


def test_an_outcome_is_released_once(cld_cohort: Cohort, assessor: User, internal_qa: User) -> None:
    assessment = moderated(completed(submitted(cld_cohort, "a@example.org"), assessor), internal_qa)
    with pytest.raises(ValidationError, match="already been released"):
        release.release_outcome(assessment, actor=internal_qa)


def test_nothing_is_released_before_moderation(cld_cohort: Cohort, assessor: User, internal_qa: User) -> None:
    assessment = completed(submitted(cld_cohort, "a@example.org"), assessor)
    with pytest.raises(ValidationError, match="moderated first"):
        release.release_outcome(assessment, actor=internal_qa)
    moderation.set_sampling_plan(
        provider=cld_cohort.programme.provider,
        cohort=cld_cohort,
        actor=internal_qa,
        percent=100,
        new_assessor_decisions=0,
    )
    moderation.draw_sample(cohort=cld_cohort, actor=internal_qa)
    with pytest.raises(ValidationError, match="moderated first"):
        release.release_outcome(assessment, actor=internal_qa)


@pytest.mark.parametrize("who", ["assessor", "facilitator", "learner", "outsider", "other_centre_admin"])
def test_only_the_centres_admins_and_iqas_release(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, assessor: User
) -> None:
    assessment = completed(submitted(cld_cohort, "a@example.org"), assessor)
    with pytest.raises(PermissionDenied):
        release.release_outcome(assessment, actor=request.getfixturevalue(who))


def test_the_learner_sees_nothing_while_referred(
    cld_cohort: Cohort, assessor: User, internal_qa: User, django_capture_on_commit_callbacks: Any
) -> None:
    moderation.set_sampling_plan(
        provider=cld_cohort.programme.provider,
        cohort=cld_cohort,
        actor=internal_qa,
        percent=100,
        new_assessor_decisions=0,
    )
    assessment = completed(submitted(cld_cohort, "hidden@example.org"), assessor)
    (entry,) = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa).entries.all()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(entry=entry, actor=internal_qa, agreed=False, rationale="Check section 1 again.")
    assessment.refresh_from_db()
    assert assessment.released_at is None
    assert not [m for m in mail.outbox if m.to == ["hidden@example.org"] and "result" in m.subject]
