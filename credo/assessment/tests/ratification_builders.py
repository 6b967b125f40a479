"""Released, moderated, competent outcomes made directly with the ORM, for the ratification tests (the assessing and
moderation services are written in parallel; these rows are what they leave behind)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from credo.accounts.models import Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.assessment.models import (
    Assessment,
    AssessmentState,
    ModerationReview,
    ModerationSample,
    ModerationState,
    Outcome,
    SampleEntry,
)
from credo.portfolios.models import EvidenceItem, Submission
from credo.programmes.models import Cohort

from .builders import submitted


def assessor_of(cohort: Cohort, email: str = "aroha.assessor@credo.example") -> User:
    found = User.objects.filter(email=email).first()
    if found is None:
        found = UserFactory(email=email, full_name="Aroha Assessor")
        MembershipFactory(user=found, organisation=cohort.programme.provider, role=Role.ASSESSOR)
    return found


def moderator_of(cohort: Cohort, email: str = "mere.moderator@credo.example") -> User:
    found = User.objects.filter(email=email).first()
    if found is None:
        found = UserFactory(email=email, full_name="Mere Moderator")
        MembershipFactory(user=found, organisation=cohort.programme.provider, role=Role.INTERNAL_QA)
    return found


def assessed(
    submission: Submission,
    *,
    assessor: User,
    outcome: str = Outcome.COMPETENT,
    released: bool = True,
) -> Assessment:
    """The submission, assessed and completed (released to the learner unless ``released`` is False)."""
    now = timezone.now()
    enrolment = submission.portfolio.enrolment
    cohort = enrolment.cohort
    return Assessment.objects.create(
        submission=submission,
        cohort=cohort,
        learner=enrolment.learner,
        attempt=submission.attempt,
        assessor=assessor,
        assigned_by=assessor,
        assigned_at=now,
        due_on=cohort.assessment_ends,
        state=AssessmentState.COMPLETED,
        outcome=outcome,
        feedback="Clear evidence of facilitating a community-led process.",
        declaration="I assessed this work myself.",
        completed_at=now,
        files_verified=True,
        released_at=now if released else None,
    )


def sampled(
    cohort: Cohort,
    assessments: list[Assessment],
    *,
    moderator: User,
    completed: bool = True,
    seed: str = "seed-1",
) -> ModerationSample:
    """One draw over ``assessments``: the first sampled ("random 25%") and agreed, the rest passed by."""
    now = timezone.now()
    number = ModerationSample.objects.filter(cohort=cohort).count() + 1
    sample = ModerationSample.objects.create(
        cohort=cohort,
        number=number,
        seed=seed,
        plan={"percent": 25, "new_assessor_decisions": 5},
        population=[a.pk for a in assessments],
        drawn_by=moderator,
        drawn_at=now,
        completed_at=now if completed else None,
    )
    for position, assessment in enumerate(assessments):
        if position == 0:
            entry = SampleEntry.objects.create(
                sample=sample,
                assessment=assessment,
                reasons=["one of the assessor's first 5 decisions", "random 25%"],
                state=ModerationState.AGREED if completed else ModerationState.PENDING,
                moderator=moderator if completed else None,
                rationale="The judgement is sound and well evidenced." if completed else "",
                decided_at=now if completed else None,
            )
            if completed:
                ModerationReview.objects.create(
                    entry=entry, moderator=moderator, agreed=True, rationale=entry.rationale, reviewed_at=now
                )
        else:
            SampleEntry.objects.create(sample=sample, assessment=assessment, state=ModerationState.NOT_SAMPLED)
    return sample


def ready_outcomes(cohort: Cohort, count: int, **options: Any) -> list[Assessment]:
    """``count`` learners of ``cohort`` submitted, assessed competent, released and moderated."""
    assessor = assessor_of(cohort)
    moderator = moderator_of(cohort)
    found = [
        assessed(submitted(cohort, f"learner{n}@example.org", f"Learner {n}"), assessor=assessor, **options)
        for n in range(1, count + 1)
    ]
    sampled(cohort, found, moderator=moderator)
    return found


def share_everything(submission: Submission) -> None:
    """The learner chooses to share every item of the submission in their credential."""
    ids = [item["item"] for section in submission.manifest["sections"] for item in section["items"]]
    EvidenceItem.objects.filter(pk__in=ids).update(share_in_credential=True)
