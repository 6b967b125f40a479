"""Appeals against a final outcome (services.appeals): lodged by the learner in time, decided by someone
independent of the decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import Appeal, AppealState, Assessment, AssessmentState, ModerationState, Outcome
from credo.assessment.services import appeals
from credo.programmes.models import Cohort

from .builders import Clock, resubmitted, submitted
from .moderation_builders import completed, moderated

pytestmark = pytest.mark.django_db


@pytest.fixture
def final(cld_cohort: Cohort, assessor: User, internal_qa: User) -> Assessment:
    """Attempt 2 of a learner, released not yet competent: final."""
    first = moderated(
        completed(submitted(cld_cohort, "mere@example.org", "Mere"), assessor, outcome=Outcome.NOT_YET_COMPETENT),
        internal_qa,
    )
    second = completed(resubmitted(first.submission), assessor, outcome=Outcome.NOT_YET_COMPETENT)
    return moderated(second, internal_qa)


@pytest.fixture
def second_iqa(centre: Organisation, member: Callable[..., User]) -> User:
    return member(centre, Role.INTERNAL_QA, "iqa2@credo.example", "Second Moderator")


def test_the_learner_appeals_a_final_outcome(final: Assessment, django_capture_on_commit_callbacks: Any) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="My case study was misread.")
    assert appeal.state == AppealState.LODGED
    (receipt,) = mail.outbox
    assert "took no part" in receipt.body


def test_an_outcome_with_an_attempt_left_cannot_be_appealed(
    cld_cohort: Cohort, assessor: User, internal_qa: User
) -> None:
    first = moderated(
        completed(submitted(cld_cohort, "a@example.org"), assessor, outcome=Outcome.NOT_YET_COMPETENT), internal_qa
    )
    with pytest.raises(ValidationError, match="resubmit"):
        appeals.lodge_appeal(assessment=first, actor=first.learner, grounds="Unfair.")


def test_an_appeal_after_the_appeal_period_is_refused(final: Assessment, clock: Clock) -> None:
    clock.advance(days=21)
    with pytest.raises(ValidationError, match="time to appeal ended"):
        appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Unfair.")


def test_an_outcome_is_appealed_once_and_with_grounds(final: Assessment) -> None:
    with pytest.raises(ValidationError) as refused:
        appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="  ")
    assert "grounds" in refused.value.message_dict
    appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Unfair.")
    with pytest.raises(ValidationError, match="once"):
        appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Again.")


@pytest.mark.parametrize("who", ["assessor", "internal_qa", "centre_admin", "outsider", "learner"])
def test_only_the_learner_appeals(who: str, request: pytest.FixtureRequest, final: Assessment) -> None:
    with pytest.raises(PermissionDenied):
        appeals.lodge_appeal(assessment=final, actor=request.getfixturevalue(who), grounds="Unfair.")


@pytest.fixture
def lodged(final: Assessment) -> Appeal:
    return appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="My case study was misread.")


def test_the_assessor_cannot_decide_the_appeal(lodged: Appeal, centre: Organisation, assessor: User) -> None:
    from credo.accounts.tests.factories import MembershipFactory

    MembershipFactory(user=assessor, organisation=centre, role=Role.INTERNAL_QA)
    with pytest.raises(PermissionDenied, match="Conflict of interest: you made the assessment"):
        appeals.decide_appeal(appeal=lodged, actor=assessor, upheld=False, decision="Stands.")


def test_the_moderator_cannot_decide_the_appeal(lodged: Appeal, internal_qa: User) -> None:
    with pytest.raises(PermissionDenied, match="Conflict of interest: you moderated"):
        appeals.decide_appeal(appeal=lodged, actor=internal_qa, upheld=False, decision="Stands.")


@pytest.mark.parametrize("who", ["facilitator", "learner", "outsider", "other_centre_admin"])
def test_only_the_centres_admins_and_iqas_decide(who: str, request: pytest.FixtureRequest, lodged: Appeal) -> None:
    with pytest.raises(PermissionDenied):
        appeals.decide_appeal(appeal=lodged, actor=request.getfixturevalue(who), upheld=False, decision="No.")


def test_dismissed_the_outcome_stands_and_the_learner_is_told(
    lodged: Appeal, second_iqa: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided = appeals.decide_appeal(appeal=lodged, actor=second_iqa, upheld=False, decision="The judgement holds.")
    assert decided.state == AppealState.DISMISSED
    assessment = Assessment.objects.get(pk=lodged.assessment_id)
    assert assessment.is_final
    assert assessment.released_at is not None
    (email,) = mail.outbox
    assert "not upheld" in email.body
    assert "The judgement holds." in email.body
    with pytest.raises(ValidationError, match="already been decided"):
        appeals.decide_appeal(appeal=lodged, actor=second_iqa, upheld=True, decision="Changed my mind.")


def test_upheld_the_assessment_reopens_for_another_assessor_and_is_moderated_again(
    lodged: Appeal, centre_admin: User, second_assessor: User, assessor: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        appeals.decide_appeal(appeal=lodged, actor=centre_admin, upheld=True, decision="Misread.")
    assert "assessor" in refused.value.message_dict
    with pytest.raises(ValidationError, match="another assessor"):
        appeals.decide_appeal(appeal=lodged, actor=centre_admin, upheld=True, decision="Misread.", assessor=assessor)
    decided = appeals.decide_appeal(
        appeal=lodged, actor=centre_admin, upheld=True, decision="Misread.", assessor=second_assessor
    )
    assert decided.state == AppealState.UPHELD
    assessment = Assessment.objects.get(pk=lodged.assessment_id)
    assert assessment.assessor == second_assessor
    assert assessment.state == AssessmentState.DRAFT
    assert assessment.released_at is None
    assert not assessment.is_final
    assert assessment.sample_entry.state == ModerationState.PENDING
