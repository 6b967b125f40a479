"""Judging a submission: the assessor's draft, then the completed assessment (final, declared and audited), and the
cohort's assessment settings.

Only the assigned assessor judges. Every save names the version it started from, so a page left open in another
tab cannot overwrite newer work. Completing checks that every submitted file still holds the bytes that were
submitted, and that the outcome follows from the judgements. Releasing the outcome to the learner is moderation's
business (``services.moderation``, ``services.release``), not this module's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.assessment.models import (
    Assessment,
    AssessmentSettings,
    AssessmentState,
    Judgement,
    ModerationState,
    Outcome,
    SampleEntry,
)
from credo.assessment.services.common import audit, lock_assessment, settings_for
from credo.portfolios.models import Submission
from credo.portfolios.services.submissions import rehash, verify_submission
from credo.programmes.models import Cohort

#: What the assessor declares on completing, word for word; each assessment keeps the text as it was accepted.
ASSESSOR_DECLARATION = (
    "I declare that I judged this work myself, against the criteria, from the evidence as it was submitted; that I "
    "have no conflict of interest with this learner; and that my feedback explains my judgements. I understand that "
    "once completed, this assessment cannot be changed except through moderation or an appeal."
)
#: The states in which the assessor may still change the judgements.
OPEN_STATES = frozenset({AssessmentState.ASSIGNED, AssessmentState.DRAFT, AssessmentState.REFERRED})
COMMENT_MAX = 5000
FEEDBACK_MAX = 20000
#: The bounds of the cohort's settings, in days.
DAYS_MIN = 1
DAYS_MAX = 365

Judgements = dict[str, tuple[bool | None, str]]


class StaleAssessmentError(ValidationError):
    """The assessment was saved (in another tab, or by another request) since the page was loaded."""


def _require_assessor(actor: Any, assessment: Assessment) -> None:
    provider = assessment.cohort.programme.provider
    if assessment.assessor_id != actor.pk or Role.ASSESSOR not in roles_in(actor, provider):
        raise PermissionDenied("Only the assessor assigned to this submission can judge it.")


def _require_open(assessment: Assessment) -> None:
    if assessment.state not in OPEN_STATES:
        raise ValidationError(
            "This assessment is completed, so it can no longer be changed. If it must be looked at again, the "
            "moderator can refer it back to you, or the learner can appeal."
        )


def _require_version(assessment: Assessment, version: int) -> None:
    if assessment.version != version:
        at = timezone.localtime(assessment.updated_at, assessment_zone(assessment))
        raise StaleAssessmentError(
            f"This assessment was saved again at {at:%H:%M} after you opened it (perhaps in another tab). Reload "
            "it to see the latest, then make your changes again.",
            code="conflict",
        )


def assessment_zone(assessment: Assessment) -> ZoneInfo:
    return ZoneInfo(assessment.cohort.time_zone)


def _apply(assessment: Assessment, judgements: Judgements, outcome: str, feedback: str) -> list[Judgement]:
    """Write the given judgements, the outcome and the feedback on the (locked) assessment; refuse unknown keys and
    text past its limit. Returns every judgement of the assessment, in order."""
    rows = list(Judgement.objects.filter(assessment=assessment).order_by("position", "pk"))
    by_key = {row.key: row for row in rows}
    unknown = sorted(set(judgements) - set(by_key))
    if unknown:
        raise ValidationError({"judgements": f"This assessment has nothing to judge called {', '.join(unknown)}."})
    too_long = [by_key[key].label for key, (_met, comment) in judgements.items() if len(comment) > COMMENT_MAX]
    if too_long:
        raise ValidationError(
            {"judgements": f"Shorten the comment on {'; '.join(too_long)} to {COMMENT_MAX:,} characters or fewer."}
        )
    if outcome and outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose competent or not yet competent."})
    if len(feedback) > FEEDBACK_MAX:
        raise ValidationError({"feedback": f"Shorten the feedback to {FEEDBACK_MAX:,} characters or fewer."})
    changed = []
    for key, (met, comment) in judgements.items():
        row = by_key[key]
        comment = comment.strip()
        if row.met != met or row.comment != comment:
            row.met, row.comment = met, comment
            changed.append(row)
    if changed:
        Judgement.objects.bulk_update(changed, ["met", "comment"])
    assessment.outcome = outcome
    assessment.feedback = feedback.strip()
    return rows


@transaction.atomic
def save_draft(
    *, assessment: Assessment, actor: Any, judgements: Judgements, outcome: str, feedback: str, version: int
) -> Assessment:
    """Keep the assessor's work so far: nothing is final, the learner sees nothing. Only the assigned assessor, only
    while the assessment is open (waiting, being assessed, or referred back); a save from a stale page is refused."""
    assessment = lock_assessment(assessment.pk)
    _require_assessor(actor, assessment)
    _require_open(assessment)
    _require_version(assessment, version)
    _apply(assessment, judgements, outcome, feedback)
    if assessment.state == AssessmentState.ASSIGNED:
        assessment.state = AssessmentState.DRAFT
    assessment.version += 1
    assessment.save(update_fields=["state", "outcome", "feedback", "version", "updated_at"])
    audit(actor, "draft_saved", assessment, assessment.cohort, version=assessment.version)
    return assessment


def completion_problems(
    rows: list[Judgement], outcome: str, feedback: str, *, declaration_accepted: bool
) -> dict[str, list[str]]:
    """What stops an assessment with these judgements, outcome and feedback from being completed, by field."""
    problems: dict[str, list[str]] = {}
    unjudged = [row.label for row in rows if row.met is None]
    if unjudged:
        problems["judgements"] = [f"Judge everything before completing. Not judged yet: {'; '.join(unjudged)}."]
    if outcome not in Outcome.values:
        problems["outcome"] = ["Choose the outcome: competent or not yet competent."]
    elif outcome == Outcome.COMPETENT and (unmet := [row.label for row in rows if row.met is False]):
        problems["outcome"] = [
            f"The outcome can be competent only when everything is met. Not yet met: {'; '.join(unmet)}."
        ]
    elif outcome == Outcome.NOT_YET_COMPETENT:
        if rows and not unjudged and all(row.met for row in rows):
            problems["outcome"] = [
                "Everything is judged met, so the outcome is competent; or mark what is not yet met."
            ]
        if not feedback.strip():
            problems["feedback"] = [
                "Write feedback to the learner: what is not yet met, and what to do about it in a resubmission."
            ]
    if not declaration_accepted:
        problems["declaration_accepted"] = ["Confirm the assessor's declaration."]
    return problems


@dataclass(frozen=True)
class FileCheck:
    """One submitted file, checked against the SHA-256 it was submitted with."""

    pk: int
    name: str
    size: int
    matches: bool
    problem: str


def check_files(submission: Submission) -> list[FileCheck]:
    """Each submitted file, re-read from storage and hashed: whether it still holds the bytes that were submitted."""
    found = []
    for stored in submission.files.order_by("pk"):
        try:
            now = rehash(stored)
        except OSError:
            found.append(FileCheck(stored.pk, stored.original_name, stored.size, False, "can no longer be read"))
            continue
        same = now.sha256 == stored.sha256 and now.size == stored.size
        problem = "" if same else "is no longer the file that was submitted (its content changed)"
        found.append(FileCheck(stored.pk, stored.original_name, stored.size, same, problem))
    return found


def _require_intact(submission: Submission) -> None:
    problems = []
    if not verify_submission(submission):
        problems.append("The submission's record no longer matches its fingerprint (SHA-256).")
    problems += [f"“{check.name}” {check.problem}." for check in check_files(submission) if not check.matches]
    if problems:
        raise ValidationError(
            [
                *problems,
                "The assessment cannot be completed on evidence that is not what the learner submitted. Your draft "
                "is kept; tell the provider's programme admins, who can restore the file from a backup.",
            ],
            code="files",
        )


@transaction.atomic
def complete(
    *,
    assessment: Assessment,
    actor: Any,
    judgements: Judgements,
    outcome: str,
    feedback: str,
    declaration_accepted: bool,
    version: int,
    now: datetime.datetime | None = None,
) -> Assessment:
    """The assessor's final judgement: refused unless everything is judged, the outcome follows from the judgements
    (competent: everything met; not yet competent: something not met, and feedback), the declaration is accepted,
    and every submitted file still matches its SHA-256. Audited. A referred assessment completed again goes back to
    the moderator (its sample entry waits again). The learner sees nothing until moderation releases it."""
    assessment = lock_assessment(assessment.pk)
    _require_assessor(actor, assessment)
    _require_open(assessment)
    _require_version(assessment, version)
    rows = _apply(assessment, judgements, outcome, feedback)
    if problems := completion_problems(rows, outcome, assessment.feedback, declaration_accepted=declaration_accepted):
        raise ValidationError(problems)
    _require_intact(assessment.submission)
    referred = assessment.state == AssessmentState.REFERRED
    assessment.state = AssessmentState.COMPLETED
    assessment.declaration = ASSESSOR_DECLARATION
    assessment.completed_at = now or timezone.now()
    assessment.files_verified = True
    assessment.version += 1
    assessment.save(
        update_fields=[
            "state",
            "outcome",
            "feedback",
            "declaration",
            "completed_at",
            "files_verified",
            "version",
            "updated_at",
        ]
    )
    back_to_moderator = False
    if referred:
        entry = SampleEntry.objects.select_for_update().filter(assessment=assessment).first()
        if entry is not None and entry.state == ModerationState.REFERRED:
            entry.state = ModerationState.PENDING
            entry.save(update_fields=["state"])
            back_to_moderator = True
    audit(
        actor,
        "completed",
        assessment,
        assessment.cohort,
        outcome=assessment.outcome,
        attempt=assessment.attempt,
        met=sum(1 for row in rows if row.met),
        judged=len(rows),
        files_verified=True,
        back_to_moderator=back_to_moderator,
    )
    return assessment


def current_judgements(assessment: Assessment) -> Judgements:
    """The assessment's judgements as saved, in the shape ``save_draft`` and ``complete`` take."""
    return {row.key: (row.met, row.comment) for row in assessment.judgements.all()}


# Settings -------------------------------------------------------------------------------------------------------


@transaction.atomic
def update_settings(
    *,
    cohort: Cohort,
    actor: Any,
    facilitators_may_assess_own_learners: bool,
    resubmission_days: int,
    appeal_days: int,
) -> AssessmentSettings:
    """Change how the cohort's assessment runs (the provider's programme admins). Audited with what it was before."""
    provider = cohort.programme.provider
    if Role.PROGRAMME_ADMIN not in roles_in(actor, provider):
        raise PermissionDenied(f"Only {provider}'s programme admins can change a cohort's assessment settings.")
    problems = {
        field: f"{what} must be between {DAYS_MIN} and {DAYS_MAX} days."
        for field, value, what in (
            ("resubmission_days", resubmission_days, "The time to resubmit"),
            ("appeal_days", appeal_days, "The time to appeal"),
        )
        if not DAYS_MIN <= value <= DAYS_MAX
    }
    if problems:
        raise ValidationError(problems)
    found = AssessmentSettings.objects.select_for_update().get(pk=settings_for(cohort).pk)
    before = {
        "facilitators_may_assess_own_learners": found.facilitators_may_assess_own_learners,
        "resubmission_days": found.resubmission_days,
        "appeal_days": found.appeal_days,
    }
    found.facilitators_may_assess_own_learners = facilitators_may_assess_own_learners
    found.resubmission_days = resubmission_days
    found.appeal_days = appeal_days
    found.updated_by = actor
    found.save()
    after = {
        "facilitators_may_assess_own_learners": facilitators_may_assess_own_learners,
        "resubmission_days": resubmission_days,
        "appeal_days": appeal_days,
    }
    audit(actor, "settings_changed", found, cohort, before=before, after=after)
    return found
