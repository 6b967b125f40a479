"""Appeals against a final outcome: the learner lodges one within the cohort's ``appeal_days``; someone independent
of the decision (neither its assessor nor a moderator who reviewed it) decides it. Upheld, the assessment reopens
for another assessor, and goes through moderation again before the learner sees a new outcome."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.assessment.models import Appeal, AppealState, Assessment, AssessmentState, ModerationState, SampleEntry
from credo.assessment.services.common import audit, lock_assessment
from credo.assessment.services.moderation import moderators_of
from credo.assessment.services.release import appeal_deadline, outcome_url
from credo.core.tasks import send_email
from credo.portfolios.services.submissions import when

#: Who decides appeals (never the assessor, nor a moderator of the decision).
DECIDES = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA})
GROUNDS_MAX = 10000
DECISION_MAX = 10000


def _tell_learner(assessment: Assessment, subject: str, paragraphs: list[str]) -> None:
    learner = assessment.learner
    url = str(settings.SITE_URL).rstrip("/") + outcome_url(assessment)
    body = "\n\n".join([f"Kia ora {learner.full_name or learner.email},", *paragraphs, f"Your outcome page: {url}"])
    to = learner.email
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body + "\n", to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    )


@transaction.atomic
def lodge_appeal(*, assessment: Assessment, actor: Any, grounds: str, now: datetime.datetime | None = None) -> Appeal:
    """The learner appeals their final outcome, within the cohort's appeal period; one open appeal at a time, and
    one appeal per outcome."""
    now = now or timezone.now()
    assessment = lock_assessment(assessment.pk)
    if not getattr(actor, "is_authenticated", False) or actor.pk != assessment.learner_id:
        raise PermissionDenied("Only the learner whose work was assessed can appeal its outcome.")
    if assessment.released_at is None or not assessment.is_final:
        raise ValidationError(
            "Only a final outcome can be appealed. If you have an attempt left, resubmit your portfolio instead."
        )
    deadline = appeal_deadline(assessment)
    assert deadline is not None
    portfolio = assessment.submission.portfolio
    if now.replace(microsecond=0) > deadline:
        raise ValidationError(
            f"The time to appeal ended {when(deadline, portfolio)}. If something kept you from appealing in time, "
            "ask your programme's staff."
        )
    if Appeal.objects.filter(assessment=assessment).exclude(state=AppealState.UPHELD).exists():
        raise ValidationError("You have already appealed this outcome: an outcome can be appealed once.")
    grounds = (grounds or "").strip()
    if not grounds:
        raise ValidationError({"grounds": "Say why you are appealing: what you believe was not assessed fairly."})
    if len(grounds) > GROUNDS_MAX:
        raise ValidationError({"grounds": f"Shorten your grounds to {GROUNDS_MAX:,} characters or fewer."})
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(assessment=assessment, grounds=grounds, lodged_at=now)
    except IntegrityError:
        raise ValidationError("You have already appealed this outcome: an outcome can be appealed once.") from None
    audit(actor, "appeal_lodged", appeal, assessment.cohort, assessment=assessment.pk)
    _tell_learner(
        assessment,
        f"We received your appeal: {assessment.cohort.programme.name}",
        [
            f"We received your appeal on {when(now, portfolio)}.",
            "What happens next: someone who took no part in assessing or moderating your work reviews it, and we "
            "email you their decision and their reasons.",
        ],
    )
    return appeal


@transaction.atomic
def decide_appeal(
    *,
    appeal: Appeal,
    actor: Any,
    upheld: bool,
    decision: str,
    assessor: Any = None,
    now: datetime.datetime | None = None,
) -> Appeal:
    """Uphold (the assessment reopens as a draft for ``assessor``, not the original one, and is moderated again) or
    dismiss (the outcome stands). The reviewer is a programme admin or internal quality assurer of the provider
    who neither made nor moderated the decision."""
    now = now or timezone.now()
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    assessment = lock_assessment(appeal.assessment_id)
    provider = assessment.cohort.programme.provider
    if not getattr(actor, "is_authenticated", False) or not roles_in(actor, provider) & DECIDES:
        raise PermissionDenied(f"Only {provider}'s programme admins and internal quality assurers decide appeals.")
    if actor.pk == assessment.assessor_id:
        raise PermissionDenied(
            "Conflict of interest: you made the assessment appealed against, so someone independent of the decision "
            "must review the appeal."
        )
    entry = SampleEntry.objects.filter(assessment=assessment).first()
    if entry is not None and actor.pk in moderators_of(entry):
        raise PermissionDenied(
            "Conflict of interest: you moderated the assessment appealed against, so someone independent of the "
            "decision must review the appeal."
        )
    if appeal.state != AppealState.LODGED:
        raise ValidationError(f"This appeal has already been decided: {appeal.get_state_display().lower()}.")
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": "Give your reasons: the learner reads them."})
    if len(decision) > DECISION_MAX:
        raise ValidationError({"decision": f"Shorten the reasons to {DECISION_MAX:,} characters or fewer."})
    if upheld:
        if assessor is None:
            raise ValidationError({"assessor": "Choose the assessor who assesses the work again."})
        if assessor.pk == assessment.assessor_id:
            raise ValidationError(
                {
                    "assessor": "Choose another assessor: the one who made the decision appealed against cannot "
                    "assess it again."
                }
            )
        if Role.ASSESSOR not in roles_in(assessor, provider):
            raise ValidationError({"assessor": f"{assessor} is not an assessor at {provider}."})
    appeal.state = AppealState.UPHELD if upheld else AppealState.DISMISSED
    appeal.reviewer = actor
    appeal.decision = decision
    appeal.decided_at = now
    appeal.save(update_fields=["state", "reviewer", "decision", "decided_at"])
    details: dict[str, Any] = {"assessment": assessment.pk, "upheld": upheld}
    programme = assessment.cohort.programme.name
    if upheld:
        details.update(previous_assessor=assessment.assessor_id, assessor=assessor.pk)
        assessment.assessor = assessor
        assessment.state = AssessmentState.DRAFT
        assessment.released_at = None
        assessment.is_final = False
        assessment.completed_at = None
        assessment.version += 1
        assessment.save(
            update_fields=["assessor", "state", "released_at", "is_final", "completed_at", "version", "updated_at"]
        )
        if entry is not None:
            entry.state = ModerationState.PENDING
            entry.reasons = [*entry.reasons, "assessed again after an upheld appeal"]
            entry.save(update_fields=["state", "reasons"])
        paragraphs = [
            "Your appeal is upheld. The reviewer's reasons:",
            decision,
            "What happens next: another assessor assesses your work again, and the internal quality assurer checks "
            "their judgement. We email you the new outcome.",
        ]
    else:
        paragraphs = [
            "Your appeal has been reviewed and is not upheld: the outcome stands. The reviewer's reasons:",
            decision,
            "If you believe the appeal itself was not handled properly, ask your programme's staff how to complain.",
        ]
    audit(actor, "appeal_decided", appeal, assessment.cohort, **details)
    _tell_learner(assessment, f"The decision on your appeal: {programme}", paragraphs)
    return appeal
