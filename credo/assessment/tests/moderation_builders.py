"""Completed assessments made directly with the ORM, so the moderation, release and appeal tests stand on their own
(the assessing services are built in parallel): one judgement per section of the frozen submission."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from credo.assessment.models import Assessment, AssessmentState, Judgement, ModerationState, Outcome, SampleEntry
from credo.portfolios.models import Submission


def completed(
    submission: Submission,
    assessor: Any,
    *,
    outcome: str = Outcome.COMPETENT,
    feedback: str = "",
    now: datetime.datetime | None = None,
) -> Assessment:
    """``submission`` assessed by ``assessor`` and completed with ``outcome``: every section met when competent,
    the first one not met otherwise (with a comment saying what is missing)."""
    now = now or timezone.now()
    portfolio = submission.portfolio
    cohort = portfolio.enrolment.cohort
    assessment = Assessment.objects.create(
        submission=submission,
        cohort=cohort,
        learner=portfolio.enrolment.learner,
        attempt=submission.attempt,
        assessor=assessor,
        assigned_by=assessor,
        assigned_at=now,
        due_on=cohort.assessment_ends,
        state=AssessmentState.COMPLETED,
        outcome=outcome,
        feedback=feedback or ("Well evidenced throughout." if outcome == Outcome.COMPETENT else "Say more about it."),
        declaration="I assessed this work fairly.",
        completed_at=now,
        files_verified=True,
    )
    competent = outcome == Outcome.COMPETENT
    Judgement.objects.bulk_create(
        Judgement(
            assessment=assessment,
            key=f"section:{section['position']}",
            position=index,
            label=f"{section['position']}. {section['title']}",
            met=competent or index > 0,
            comment="Clear and complete." if competent or index > 0 else "Describe your own part in the process.",
        )
        for index, section in enumerate(submission.manifest["sections"])
    )
    return assessment


def complete_again(assessment: Assessment, *, outcome: str | None = None) -> Assessment:
    """What the assessing service does when a referred assessment is completed again: COMPLETED, and its sample
    entry back to PENDING for the moderator."""
    Assessment.objects.filter(pk=assessment.pk).update(
        state=AssessmentState.COMPLETED, outcome=outcome or assessment.outcome, completed_at=timezone.now()
    )
    SampleEntry.objects.filter(assessment=assessment).update(state=ModerationState.PENDING)
    assessment.refresh_from_db()
    return assessment


def moderated(assessment: Assessment, iqa: Any, *, sampled: bool = True) -> Assessment:
    """Draw the assessment's cohort (everything sampled, or nothing) and, when sampled, agree with it: released."""
    from credo.assessment.services import moderation

    cohort = assessment.cohort
    moderation.set_sampling_plan(
        provider=cohort.programme.provider,
        cohort=cohort,
        actor=iqa,
        percent=100 if sampled else 0,
        new_assessor_decisions=0,
    )
    sample = moderation.draw_sample(cohort=cohort, actor=iqa, seed="builder")
    entry = sample.entries.get(assessment=assessment)
    if entry.state == ModerationState.PENDING:
        moderation.moderate(entry=entry, actor=iqa, agreed=True, rationale="Agreed.")
    assessment.refresh_from_db()
    return assessment
