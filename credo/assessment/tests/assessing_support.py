"""What the assessing tests share: a cohort with its assessors named, a submission assigned, check-ins, a referral."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from credo.accounts.models import User
from credo.assessment.models import (
    Assessment,
    AssessmentState,
    ModerationSample,
    ModerationState,
    SampleEntry,
)
from credo.assessment.services import assessing, assigning
from credo.portfolios.models import Submission
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort
from credo.programmes.tests.builders import nz


def named(cohort: Cohort, admin: User, *assessors: User) -> None:
    assigning.assign_assessors(cohort=cohort, actor=admin, assessors=list(assessors))


def assigned(submission: Submission, assessor: User, admin: User) -> Assessment:
    """``submission`` given to ``assessor`` (named for its cohort first)."""
    named(submission.portfolio.enrolment.cohort, admin, assessor)
    return assigning.assign(submission=submission, assessor=assessor, actor=admin)


def all_met(assessment: Assessment, comment: str = "Shown clearly.") -> dict[str, tuple[bool | None, str]]:
    return dict.fromkeys(assessment.judgements.values_list("key", flat=True), (True, comment))


def one_not_met(assessment: Assessment) -> dict[str, tuple[bool | None, str]]:
    found = all_met(assessment)
    first = next(iter(found))
    found[first] = (False, "Say more about who took part.")
    return found


def completed(assessment: Assessment, *, competent: bool = True) -> Assessment:
    assessment.refresh_from_db()
    return assessing.complete(
        assessment=assessment,
        actor=assessment.assessor,
        judgements=all_met(assessment) if competent else one_not_met(assessment),
        outcome="competent" if competent else "not_yet_competent",
        feedback="Well done." if competent else "Add who took part, then resubmit.",
        declaration_accepted=True,
        version=assessment.version,
    )


def checked_in(submission: Submission, facilitator: User, *, cancelled: bool = False) -> CheckInBooking:
    """A 1:1 check-in of the submission's learner, held by ``facilitator``."""
    enrolment = submission.portfolio.enrolment
    slot = CheckInSlot.objects.create(
        cohort=enrolment.cohort, facilitator=facilitator, starts_at=nz(2024, 5, 1, 12), ends_at=nz(2024, 5, 1, 13)
    )
    return CheckInBooking.objects.create(
        slot=slot, enrolment=enrolment, cancelled_at=nz(2024, 4, 30, 9) if cancelled else None
    )


def referred(assessment: Assessment, moderator: User) -> SampleEntry:
    """What moderation does when it refers a completed assessment back (its services are another stage's)."""
    sample = ModerationSample.objects.create(
        cohort=assessment.cohort,
        number=1,
        seed="test",
        plan={"percent": 25, "new_assessor_decisions": 5},
        population=[assessment.pk],
        drawn_by=moderator,
        drawn_at=datetime.datetime(2024, 9, 10, tzinfo=datetime.UTC),
    )
    entry = SampleEntry.objects.create(
        sample=sample, assessment=assessment, reasons=["not yet competent"], state=ModerationState.REFERRED
    )
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.REFERRED, version=assessment.version + 1)
    return entry


def tamper(submission: Submission, content: bytes = b"not what was submitted") -> Any:
    """Overwrite a submitted file in storage, as a fault or an intruder could."""
    stored = submission.files.first()
    assert stored is not None
    Path(stored.file.path).write_bytes(content)
    return stored
