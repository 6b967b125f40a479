"""Submitting through the API: the readiness check, submit, the learner's submissions (manifest and hash), the ZIP
exports (built by background jobs: 202 with the job), and, for the provider's programme admins, deadline extensions.

The same loaders and services as the pages: ``portfolios.access`` and ``services.submissions``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.core.api import JobOut
from credo.portfolios import access
from credo.portfolios.api.router import router
from credo.portfolios.models import Submission
from credo.portfolios.services import export_jobs, submissions
from credo.portfolios.services.readiness import check_readiness


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class SectionReadinessOut(Schema):
    position: int
    title: str
    ready: bool
    blocks: list[str] = Field(description="Required evidence that is missing: submitting is refused until it is added.")
    warnings: list[str] = Field(description="Advice (suggested length, criteria with no evidence): not a refusal.")


class ReadinessOut(Schema):
    ready: bool
    attempt: int
    deadline: datetime.datetime = Field(description="The deadline for this attempt, with any extension.")
    is_open: bool = Field(description="False once this attempt is submitted.")
    declaration: str = Field(description="What the learner declares by submitting.")
    blocks: list[str] = Field(description="Missing evidence for the portfolio as a whole.")
    warnings: list[str]
    sections: list[SectionReadinessOut]


class SubmitIn(Schema):
    declaration_accepted: bool = Field(False, description="True: you accept the declaration (see the readiness check).")


class SubmissionOut(Schema):
    attempt: int
    submitted_at: datetime.datetime
    deadline: datetime.datetime
    content_sha256: str = Field(description="SHA-256 of the manifest's canonical JSON (sorted keys, no spaces, UTF-8).")
    total_bytes: int
    files: int
    url: str
    zip: str = Field(description="POST here to build this attempt as a ZIP: the answer is 202 with the job.")

    @classmethod
    def of(cls, submission: Submission, enrolment_id: int, files: int) -> SubmissionOut:
        args = [enrolment_id, submission.attempt]
        return cls(
            attempt=submission.attempt,
            submitted_at=submission.submitted_at,
            deadline=submission.deadline,
            content_sha256=submission.content_sha256,
            total_bytes=submission.total_bytes,
            files=files,
            url=reverse("api:portfolios_submission", args=args),
            zip=reverse("api:portfolios_submission_zip", args=args),
        )


class SubmissionDetailOut(SubmissionOut):
    declaration: str
    manifest: dict[str, Any] = Field(description="The frozen snapshot: sections, items, files, attestations, mapping.")


class SubmissionFilters(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many to return (1 to 200).")
    offset: int = Field(0, ge=0, le=1_000_000, description="How many to skip.")


Reason = Annotated[str, StringConstraints(max_length=submissions.REASON_MAX, pattern=NUL_FREE)]


class ExtensionIn(Schema):
    deadline: datetime.datetime = Field(description="The new deadline, with its time zone offset.")
    reason: Reason = Field(description="Why the learner is given more time; kept on record.")


class ExtensionOut(Schema):
    attempt: int
    deadline: datetime.datetime
    reason: str
    granted_at: datetime.datetime


@router.get(
    "/my/{enrolment_id}/readiness",
    auth=django_auth,
    response={200: ReadinessOut, 401: Message, 404: Message},
    url_name="portfolios_readiness",
    summary="Whether the signed-in learner's portfolio is ready to submit: what is missing, and advice",
)
def readiness(request: HttpRequest, enrolment_id: int) -> ReadinessOut:
    portfolio = access.own_portfolio(request.user, enrolment_id)
    found = check_readiness(portfolio)
    return ReadinessOut(
        ready=found.ready,
        attempt=portfolio.attempt,
        deadline=submissions.effective_deadline(portfolio),
        is_open=portfolio.is_open,
        declaration=submissions.DECLARATION,
        blocks=found.blocks,
        warnings=found.warnings,
        sections=[
            SectionReadinessOut(
                position=s.section.position, title=s.section.title, ready=s.ready, blocks=s.blocks, warnings=s.warnings
            )
            for s in found.sections
        ],
    )


@router.post(
    "/my/{enrolment_id}/submissions",
    auth=django_auth,
    response={201: SubmissionOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    url_name="portfolios_submit",
    summary="Submit the attempt being built: refused after the deadline, when not ready, or without the declaration",
)
def submit(request: HttpRequest, enrolment_id: int, payload: SubmitIn) -> Reply[SubmissionOut]:
    portfolio = access.own_portfolio(request.user, enrolment_id)
    made = submissions.submit(
        portfolio=portfolio, actor=request.user, declaration_accepted=payload.declaration_accepted
    )
    return Reply(201, SubmissionOut.of(made, enrolment_id, made.files.count()))


@router.get(
    "/my/{enrolment_id}/submissions",
    auth=django_auth,
    response={200: list[SubmissionOut], 401: Message, 404: Message, 422: Problems},
    url_name="portfolios_submissions",
    summary="The signed-in learner's submitted attempts, first first",
)
def submission_list(request: HttpRequest, enrolment_id: int, filters: Query[SubmissionFilters]) -> list[SubmissionOut]:
    portfolio = access.own_portfolio(request.user, enrolment_id)
    rows = (
        Submission.objects.filter(portfolio=portfolio)
        .defer("manifest")
        .annotate(file_count=Count("files"))
        .order_by("attempt")[filters.offset : filters.offset + filters.limit]
    )
    return [SubmissionOut.of(s, enrolment_id, s.file_count) for s in rows]


@router.get(
    "/my/{enrolment_id}/submissions/{attempt}",
    auth=django_auth,
    response={200: SubmissionDetailOut, 401: Message, 404: Message},
    url_name="portfolios_submission",
    summary="One submitted attempt: its frozen manifest and the SHA-256 of its canonical JSON",
)
def submission_detail(request: HttpRequest, enrolment_id: int, attempt: int) -> SubmissionDetailOut:
    found = access.own_submission(request.user, enrolment_id, attempt)
    summary = SubmissionOut.of(found, enrolment_id, found.files.count())
    return SubmissionDetailOut(**summary.model_dump(), declaration=found.declaration, manifest=found.manifest)


_STARTED = {202: JobOut, 401: Message, 403: Message, 404: Message}
_BUILT_BY_A_JOB = (
    "The archive is built in the background: the answer is 202 with the job. Poll /api/v1/jobs/{id}; once it is "
    "done, its download_url gives the ZIP to whoever started it, until it expires."
)


@router.post(
    "/my/{enrolment_id}/submissions/{attempt}/zip",
    auth=django_auth,
    response=_STARTED,
    url_name="portfolios_submission_zip",
    summary="Build one submitted attempt as a ZIP (index.html, manifest.json and its files)",
    description=_BUILT_BY_A_JOB,
)
def submission_zip(request: HttpRequest, enrolment_id: int, attempt: int) -> Reply[JobOut]:
    found = access.own_submission(request.user, enrolment_id, attempt)
    return Reply(202, JobOut.of(export_jobs.start_submission_export(found, actor=request.user)))


@router.post(
    "/my/{enrolment_id}/zip",
    auth=django_auth,
    response=_STARTED,
    url_name="portfolios_export_zip",
    summary="Build the whole portfolio as it is now as a ZIP (index.html and every file)",
    description=_BUILT_BY_A_JOB,
)
def portfolio_zip(request: HttpRequest, enrolment_id: int) -> Reply[JobOut]:
    portfolio = access.own_portfolio(request.user, enrolment_id)
    return Reply(202, JobOut.of(export_jobs.start_portfolio_export(portfolio, actor=request.user)))


@router.post(
    "/staff/{enrolment_id}/zip",
    auth=django_auth,
    response=_STARTED,
    url_name="portfolios_staff_export_zip",
    summary="Build a learner's portfolio as it is now as a ZIP (staff who may read it)",
    description=_BUILT_BY_A_JOB,
)
def staff_portfolio_zip(request: HttpRequest, enrolment_id: int) -> Reply[JobOut]:
    portfolio = access.portfolio_for_staff(request.user, enrolment_id)
    return Reply(202, JobOut.of(export_jobs.start_portfolio_export(portfolio, actor=request.user, as_staff=True)))


@router.post(
    "/staff/{enrolment_id}/extensions",
    auth=django_auth,
    response={201: ExtensionOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    url_name="portfolios_grant_extension",
    summary="Give a learner more time for the attempt they are building (the provider's programme admins)",
)
def grant_extension(request: HttpRequest, enrolment_id: int, payload: ExtensionIn) -> Reply[ExtensionOut]:
    portfolio = access.portfolio_for_deadlines(request.user, enrolment_id)
    made = submissions.grant_extension(
        portfolio=portfolio, actor=request.user, deadline=payload.deadline, reason=payload.reason
    )
    return Reply(
        201, ExtensionOut(attempt=made.attempt, deadline=made.deadline, reason=made.reason, granted_at=made.granted_at)
    )
