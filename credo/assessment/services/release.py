"""Releasing an outcome to the learner, once moderation has passed it by or agreed with it, with an email in plain
words that says what happens next.

* Not yet competent with an attempt left: the portfolio reopens for the next attempt (portfolios'
  ``reopen_for_resubmission``), due ``AssessmentSettings.resubmission_days`` on, at the end of that day where the
  cohort runs; attempt 1 stays readable as it was submitted.
* Not yet competent with no attempt left: the outcome is final (``is_final``); only an appeal, lodged within
  ``appeal_days``, changes it.
* Competent: it goes on to ratification by the issuing institution, or to the centre's claim and the awarding
  body's checks.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.assessment.models import Assessment, AssessmentState, ModerationState, Outcome, SampleEntry
from credo.assessment.services.common import (
    audit,
    issuing_organisation,
    leaves_by_ratification,
    lock_assessment,
    settings_for,
    today_in,
)
from credo.core.tasks import send_email
from credo.portfolios.models import Portfolio
from credo.portfolios.services import submissions
from credo.programmes.services.cohorts import end_of_day

#: Who releases outcomes: those who draw samples and moderate them (a release follows a draw or an agreement).
RELEASES = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA})


def outcome_url(assessment: Assessment) -> str:
    """The learner's page for their released outcome."""
    return reverse("assessment:outcome", args=[assessment.pk])


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def appeal_deadline(assessment: Assessment) -> datetime.datetime | None:
    """The last moment to appeal a final outcome: the end of the day ``appeal_days`` after its release."""
    if not assessment.is_final or assessment.released_at is None:
        return None
    days = settings_for(assessment.cohort).appeal_days
    day = today_in(assessment.cohort, assessment.released_at) + datetime.timedelta(days=days)
    return end_of_day(day, assessment.cohort.time_zone)


def _reopen(assessment: Assessment, portfolio: Portfolio, actor: Any, now: datetime.datetime) -> datetime.datetime:
    cohort = assessment.cohort
    days = settings_for(cohort).resubmission_days
    deadline = end_of_day(today_in(cohort, now) + datetime.timedelta(days=days), cohort.time_zone)
    # Portfolios lets programme admins and assessors reopen. When an internal quality assurer's agreement releases
    # it, the reopening carries out the assessor's decision, so it is made in the assessor's name.
    reopener = actor if roles_in(actor, cohort.programme.provider) & submissions.REOPENS else assessment.assessor
    submissions.reopen_for_resubmission(portfolio=portfolio, actor=reopener, deadline=deadline)
    return deadline


def _email(assessment: Assessment, subject: str, paragraphs: list[str]) -> None:
    learner = assessment.learner
    body = "\n\n".join(
        [
            f"Kia ora {learner.full_name or learner.email},",
            *paragraphs,
            f"Read your outcome, the assessor's feedback and their comment on each part at "
            f"{_absolute(outcome_url(assessment))}",
        ]
    )
    to = learner.email
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body + "\n", to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    )


def _when(moment: datetime.datetime, portfolio: Portfolio) -> str:
    return submissions.when(moment, portfolio)


@transaction.atomic
def release_outcome(assessment: Assessment, *, actor: Any, now: datetime.datetime | None = None) -> Assessment:
    """Let the learner see their outcome, and set what follows in motion (see the module's docstring).

    Only a completed assessment that moderation passed by (NOT_SAMPLED) or agreed, and only once.
    """
    now = now or timezone.now()
    assessment = lock_assessment(assessment.pk)
    cohort = assessment.cohort
    provider = cohort.programme.provider
    if not getattr(actor, "is_authenticated", False) or not roles_in(actor, provider) & RELEASES:
        raise PermissionDenied(f"Only {provider}'s programme admins and internal quality assurers release outcomes.")
    if assessment.state != AssessmentState.COMPLETED:
        raise ValidationError("Only a completed assessment can be released to the learner.")
    if assessment.released_at is not None:
        raise ValidationError("This outcome has already been released to the learner.")
    entry = SampleEntry.objects.filter(assessment=assessment).first()
    if entry is None or entry.state not in (ModerationState.NOT_SAMPLED, ModerationState.AGREED):
        raise ValidationError(
            "This assessment must be moderated first: it is released once a sample passes it by or the moderator "
            "agrees with it."
        )
    portfolio = Portfolio.objects.select_related("enrolment__cohort", "enrolment__learner").get(
        pk=assessment.submission.portfolio_id
    )
    programme = cohort.programme.name
    details: dict[str, Any] = {"attempt": assessment.attempt, "outcome": assessment.outcome}
    is_final = False
    if assessment.outcome == Outcome.NOT_YET_COMPETENT:
        allowed = submissions.attempts_allowed(portfolio)
        if assessment.attempt < allowed and portfolio.attempt == assessment.attempt:
            deadline = _reopen(assessment, portfolio, actor, now)
            details["resubmission_deadline"] = deadline.isoformat()
            _email(
                assessment,
                f"Your assessment result: {programme}, attempt {assessment.attempt}",
                [
                    f"Your assessor has read attempt {assessment.attempt} of your portfolio for {programme} "
                    f"({cohort.name}). Their judgement is that it is not yet competent: some of what is asked for "
                    "is not there yet.",
                    f"You can resubmit. Your portfolio is open again for attempt {assessment.attempt + 1}: add or "
                    "change what the feedback asks for, then check and submit it by "
                    f"{_when(deadline, portfolio)}. The assessor's feedback is shown beside each section of your "
                    "portfolio, and what you submitted before stays as it was, for you to read.",
                    "If anything in the feedback is unclear, ask your programme's staff.",
                ],
            )
        else:
            is_final = True
    assessment.released_at = now
    assessment.is_final = is_final
    assessment.version += 1
    assessment.save(update_fields=["released_at", "is_final", "version", "updated_at"])
    if is_final:
        appeal_by = appeal_deadline(assessment)
        assert appeal_by is not None  # final and released just now
        details["appeal_deadline"] = appeal_by.isoformat()
        _email(
            assessment,
            f"Your assessment result: {programme}",
            [
                f"Your assessor has read attempt {assessment.attempt} of your portfolio for {programme} "
                f"({cohort.name}). Their judgement is that it is not yet competent, and this was your last "
                "attempt, so this outcome is final.",
                "If you believe the assessment was not made fairly or correctly, you can appeal. Open your outcome "
                'page (link below), choose "Appeal this outcome" and say why, by '
                f"{_when(appeal_by, portfolio)}. Someone who took no part in the decision reviews your appeal and "
                "writes to you with their decision.",
            ],
        )
    elif assessment.outcome == Outcome.COMPETENT:
        issuer = issuing_organisation(cohort)
        if leaves_by_ratification(cohort):
            then = (
                f"What happens next: once the centre's sample of assessments is moderated, your result goes to "
                f"{issuer.name}, who ratify it. When they have, your credential is issued and we email you: you will "
                "find it on your dashboard."
            )
        else:
            then = (
                f"What happens next: the centre claims your certificate from {issuer.name}, the awarding body. Their "
                "external quality assurer checks the centre's assessments first; once they release the claim, "
                f"{issuer.name} approve your certificate and we email you: you will find it on your dashboard."
            )
        _email(
            assessment,
            f"Your assessment result: {programme}, competent",
            [
                f"Congratulations: your assessor has judged attempt {assessment.attempt} of your portfolio for "
                f"{programme} ({cohort.name}) competent.",
                then,
            ],
        )
    audit(actor, "released", assessment, cohort, **details)
    assessment.refresh_from_db()
    return assessment
