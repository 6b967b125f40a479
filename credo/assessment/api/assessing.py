"""Assessing through the API: the queue, naming a cohort's assessors, assigning (or taking) a submission, reading an
assessment with its judgements, saving a draft, completing it, and the cohort's assessment settings.

The same loaders and services as the pages (``assessment.access.assessing``, ``services.assigning``,
``services.assessing``). A save from a stale version is a 409 with the current version.
"""

from __future__ import annotations

import datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.accounts.models import User
from credo.api_errors import NUL_FREE
from credo.assessment.access import assessing as access
from credo.assessment.api.router import router
from credo.assessment.models import Assessment, AssessmentState, Outcome
from credo.assessment.services import assessing, assigning
from credo.assessment.services.common import settings_for, today_in


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class Conflict(Schema):
    detail: str
    current_version: int


class Page(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many to return (1 to 200).")
    offset: int = Field(0, ge=0, le=1_000_000, description="How many to skip.")


class QueueFilters(Page):
    cohort: UUID | None = Field(None, description="Only this cohort's (its public id).")
    state: AssessmentState | None = Field(None, description="Only assessments in this state.")
    late: bool = Field(False, description="Only those past their due date and not completed.")


class AssessmentSummaryOut(Schema):
    id: int
    url: str
    cohort: UUID
    learner: str
    attempt: int
    assessor: str
    state: str
    state_label: str = Field(description="The state in words.")
    outcome: str = Field(description="competent, not_yet_competent, or empty while undecided.")
    submitted_at: datetime.datetime
    due_on: datetime.date = Field(description="The end of the cohort's assessment window.")
    late: bool = Field(description="Past its due date (in the cohort's time zone) and not completed.")
    version: int

    @classmethod
    def of(cls, assessment: Assessment) -> AssessmentSummaryOut:
        return cls(
            id=assessment.pk,
            url=reverse("api:assessment_read", args=[assessment.pk]),
            cohort=assessment.cohort.public_id,
            learner=assessment.learner.full_name or assessment.learner.email,
            attempt=assessment.attempt,
            assessor=assessment.assessor.full_name or assessment.assessor.email,
            state=assessment.state,
            state_label=assessment.get_state_display(),
            outcome=assessment.outcome,
            submitted_at=assessment.submission.submitted_at,
            due_on=assessment.due_on,
            late=assessment.state != AssessmentState.COMPLETED and assessment.due_on < today_in(assessment.cohort),
            version=assessment.version,
        )


class QueueOut(Schema):
    count: int
    items: list[AssessmentSummaryOut]


class JudgementOut(Schema):
    key: str = Field(description='What is judged: "section:<position>", "criterion:<id>" or "competency:<id>".')
    label: str
    unit_code: str
    met: bool | None = Field(description="Empty: not judged yet.")
    comment: str


class FileCheckOut(Schema):
    name: str
    size: int
    matches: bool = Field(description="The stored file still has the SHA-256 it was submitted with.")
    problem: str


class AssessmentOut(AssessmentSummaryOut):
    feedback: str
    declaration: str
    completed_at: datetime.datetime | None
    files_verified: bool
    submission_sha256: str
    judgements: list[JudgementOut]
    files: list[FileCheckOut]


Comment = Annotated[str, StringConstraints(max_length=assessing.COMMENT_MAX, pattern=NUL_FREE)]
Feedback = Annotated[str, StringConstraints(max_length=assessing.FEEDBACK_MAX, pattern=NUL_FREE)]


class JudgementIn(Schema):
    key: Annotated[str, StringConstraints(max_length=40)]
    met: bool | None = None
    comment: Comment = ""


class DraftIn(Schema):
    version: int = Field(description="The version you read: a stale one is refused (409).")
    judgements: list[JudgementIn] = Field(default_factory=list, description="Those to change; the rest stay.")
    outcome: Outcome | None = None
    feedback: Feedback = ""


class CompleteIn(DraftIn):
    declaration_accepted: bool = Field(False, description=assessing.ASSESSOR_DECLARATION)


class AssessorsIn(Schema):
    assessors: list[int] = Field(description="User ids of people with the assessor role at the provider.")


class NamedOut(Schema):
    assessor: int
    name: str
    assigned_at: datetime.datetime


class AssignIn(Schema):
    assessor: int | None = Field(None, description="Whom to give it to (programme admins); empty: take it yourself.")


class UnassignedOut(Schema):
    submission: int
    learner: str
    attempt: int
    submitted_at: datetime.datetime


class SettingsIO(Schema):
    facilitators_may_assess_own_learners: bool
    resubmission_days: int = Field(ge=assessing.DAYS_MIN, le=assessing.DAYS_MAX)
    appeal_days: int = Field(ge=assessing.DAYS_MIN, le=assessing.DAYS_MAX)


def _detail(assessment: Assessment) -> AssessmentOut:
    summary = AssessmentSummaryOut.of(assessment)
    return AssessmentOut(
        **summary.model_dump(),
        feedback=assessment.feedback,
        declaration=assessment.declaration,
        completed_at=assessment.completed_at,
        files_verified=assessment.files_verified,
        submission_sha256=assessment.submission.content_sha256,
        judgements=[
            JudgementOut(key=j.key, label=j.label, unit_code=j.unit_code, met=j.met, comment=j.comment)
            for j in assessment.judgements.order_by("position", "pk")
        ],
        files=[
            FileCheckOut(name=c.name, size=c.size, matches=c.matches, problem=c.problem)
            for c in assessing.check_files(assessment.submission)
        ],
    )


def _judgements(payload: DraftIn) -> assessing.Judgements:
    return {j.key: (j.met, j.comment) for j in payload.judgements}


def _current_version(assessment: Assessment) -> int:
    return Assessment.objects.filter(pk=assessment.pk).values_list("version", flat=True).first() or 0


@router.get(
    "/queue",
    auth=django_auth,
    response={200: QueueOut, 401: Message, 403: Message, 422: Problems},
    url_name="assessment_queue",
    summary="Your assessment queue (assessors: your own; programme admins: every cohort's), oldest first",
)
def queue(request: HttpRequest, filters: Query[QueueFilters]) -> QueueOut:
    access.require_queue(request.user)
    state = "late" if filters.late else (filters.state or "")
    found = access.filtered_queue(request.user, cohort=str(filters.cohort or ""), state=state)
    rows = found[filters.offset : filters.offset + filters.limit]
    return QueueOut(count=found.count(), items=[AssessmentSummaryOut.of(a) for a in rows])


@router.get(
    "/cohorts/{public_id}/unassigned",
    auth=django_auth,
    response={200: list[UnassignedOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    url_name="assessment_unassigned",
    summary="A cohort's submissions that nobody assesses yet, oldest first (its assessors and programme admins)",
)
def unassigned(request: HttpRequest, public_id: UUID, filters: Query[Page]) -> list[UnassignedOut]:
    cohort = access.cohort_in_queue(request.user, public_id)
    rows = assigning.unassigned(cohort)[filters.offset : filters.offset + filters.limit]
    return [
        UnassignedOut(
            submission=s.pk,
            learner=s.portfolio.enrolment.learner.full_name or s.portfolio.enrolment.learner.email,
            attempt=s.attempt,
            submitted_at=s.submitted_at,
        )
        for s in rows
    ]


@router.post(
    "/cohorts/{public_id}/assessors",
    auth=django_auth,
    response={200: list[NamedOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    url_name="assessment_name_assessors",
    summary="Name assessors for a cohort (the provider's programme admins); naming someone again changes nothing",
)
def name_assessors(request: HttpRequest, public_id: UUID, payload: AssessorsIn) -> list[NamedOut]:
    cohort = access.cohort_for_admin(request.user, public_id)
    people = list(User.objects.filter(pk__in=payload.assessors))
    if len(people) != len(set(payload.assessors)):
        raise ValidationError({"assessors": "Some of these people do not exist."})
    rows = assigning.assign_assessors(cohort=cohort, actor=request.user, assessors=people)
    return [
        NamedOut(assessor=r.assessor_id, name=r.assessor.full_name or r.assessor.email, assigned_at=r.assigned_at)
        for r in rows
    ]


@router.post(
    "/submissions/{submission_id}/assessment",
    auth=django_auth,
    response={201: AssessmentOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    url_name="assessment_assign",
    summary="Assign a submission to an assessor (programme admins), or take it yourself (its cohort's assessors)",
)
def assign(request: HttpRequest, submission_id: int, payload: AssignIn) -> Reply[AssessmentOut]:
    submission = access.submission_for_assigning(request.user, submission_id)
    assessor = request.user
    if payload.assessor is not None and payload.assessor != request.user.pk:
        found = User.objects.filter(pk=payload.assessor).first()
        if found is None:
            raise ValidationError({"assessor": "No such person."})
        assessor = found
    made = assigning.assign(submission=submission, assessor=assessor, actor=request.user)
    return Reply(201, _detail(access.assessment_to_read(request.user, made.pk)))


@router.get(
    "/assessments/{assessment_id}",
    auth=django_auth,
    response={200: AssessmentOut, 401: Message, 403: Message, 404: Message},
    url_name="assessment_read",
    summary="One assessment with its judgements and the submitted files' hash checks (assessor, admins, IQA)",
)
def read(request: HttpRequest, assessment_id: int) -> AssessmentOut:
    return _detail(access.assessment_to_read(request.user, assessment_id))


@router.put(
    "/assessments/{assessment_id}/draft",
    auth=django_auth,
    response={200: AssessmentOut, 401: Message, 403: Message, 404: Message, 409: Conflict, 422: Problems},
    url_name="assessment_save_draft",
    summary="Save the assessor's judgements so far; refused (409) if it changed since the version you read",
)
def save_draft(request: HttpRequest, assessment_id: int, payload: DraftIn) -> Reply[AssessmentOut] | Reply[Conflict]:
    assessment = access.assessment_to_judge(request.user, assessment_id)
    try:
        assessing.save_draft(
            assessment=assessment,
            actor=request.user,
            judgements=_judgements(payload),
            outcome=payload.outcome or "",
            feedback=payload.feedback,
            version=payload.version,
        )
    except assessing.StaleAssessmentError as error:
        return Reply(409, Conflict(detail=" ".join(error.messages), current_version=_current_version(assessment)))
    return Reply(200, _detail(access.assessment_to_read(request.user, assessment_id)))


@router.post(
    "/assessments/{assessment_id}/complete",
    auth=django_auth,
    response={200: AssessmentOut, 401: Message, 403: Message, 404: Message, 409: Conflict, 422: Problems},
    url_name="assessment_complete",
    summary="Complete the assessment: final; refused unless everything is judged, the outcome follows, the "
    "declaration is accepted and every file matches its hash",
)
def complete(request: HttpRequest, assessment_id: int, payload: CompleteIn) -> Reply[AssessmentOut] | Reply[Conflict]:
    assessment = access.assessment_to_judge(request.user, assessment_id)
    try:
        assessing.complete(
            assessment=assessment,
            actor=request.user,
            judgements=_judgements(payload),
            outcome=payload.outcome or "",
            feedback=payload.feedback,
            declaration_accepted=payload.declaration_accepted,
            version=payload.version,
        )
    except assessing.StaleAssessmentError as error:
        return Reply(409, Conflict(detail=" ".join(error.messages), current_version=_current_version(assessment)))
    return Reply(200, _detail(access.assessment_to_read(request.user, assessment_id)))


@router.get(
    "/cohorts/{public_id}/settings",
    auth=django_auth,
    response={200: SettingsIO, 401: Message, 403: Message, 404: Message},
    url_name="assessment_settings",
    summary="A cohort's assessment settings (the provider's programme admins)",
)
def read_settings(request: HttpRequest, public_id: UUID) -> SettingsIO:
    found = settings_for(access.cohort_for_admin(request.user, public_id))
    return SettingsIO(
        facilitators_may_assess_own_learners=found.facilitators_may_assess_own_learners,
        resubmission_days=found.resubmission_days,
        appeal_days=found.appeal_days,
    )


@router.put(
    "/cohorts/{public_id}/settings",
    auth=django_auth,
    response={200: SettingsIO, 401: Message, 403: Message, 404: Message, 422: Problems},
    url_name="assessment_update_settings",
    summary="Change a cohort's assessment settings (the provider's programme admins)",
)
def update_settings(request: HttpRequest, public_id: UUID, payload: SettingsIO) -> SettingsIO:
    cohort = access.cohort_for_admin(request.user, public_id)
    found = assessing.update_settings(cohort=cohort, actor=request.user, **payload.model_dump())
    return SettingsIO(
        facilitators_may_assess_own_learners=found.facilitators_may_assess_own_learners,
        resubmission_days=found.resubmission_days,
        appeal_days=found.appeal_days,
    )
