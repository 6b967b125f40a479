"""Background jobs through the API: how far a job has got, and what happened to each line.

A job is visible only to the person who started it (``access.job_for_owner``): anyone else gets a 404.
Endpoints that start long work (a bulk award, a roster import) answer 202 with the job's id; poll this.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from credo.core import access
from credo.core.models import Job, JobLine, JobLineOutcome, JobState

router = Router(tags=["Background jobs"], auth=django_auth)

MAX_OFFSET = 1_000_000


class JobOut(Schema):
    id: UUID
    title: str
    state: JobState
    state_label: str = Field(description="The state in words.")
    total: int = Field(description="Lines of work in all (0 while not yet known).")
    processed: int = Field(description="Lines with an outcome so far.")
    failed: int
    skipped: int
    summary: str = Field(description="What happened, once finished.")
    problem: str = Field(description="Why it stopped, if it stopped before the end.")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    page_url: str = Field(description="The job's page, for a person.")
    download_url: str | None = Field(description="The file the job made, while it is kept.")

    @staticmethod
    def of(job: Job) -> JobOut:
        return JobOut(
            id=job.public_id,
            title=job.title,
            state=JobState(job.state),
            state_label=job.get_state_display(),
            total=job.total,
            processed=job.processed,
            failed=job.failed,
            skipped=job.skipped,
            summary=job.summary,
            problem=job.problem,
            created_at=job.created_at,
            finished_at=job.finished_at,
            page_url=reverse("job", kwargs={"public_id": job.public_id}),
            download_url=reverse("job-download", kwargs={"public_id": job.public_id}) if job.output else None,
        )


class LineOut(Schema):
    line: int
    label: str
    outcome: JobLineOutcome
    outcome_label: str
    message: str

    @staticmethod
    def of(line: JobLine) -> LineOut:
        return LineOut(
            line=line.line,
            label=line.label,
            outcome=JobLineOutcome(line.outcome),
            outcome_label=line.get_outcome_display(),
            message=line.message,
        )


class LineFilters(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many to return (1 to 200).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip.")
    outcome: JobLineOutcome | None = Field(None, description="Only lines with this outcome.")


@router.get("/{job_id}", response=JobOut, summary="A background job's progress")
def job_detail(request: HttpRequest, job_id: UUID) -> JobOut:
    return JobOut.of(access.job_for_owner(request.user, job_id))


@router.get("/{job_id}/lines", response=list[LineOut], summary="What happened to each line of a job")
def job_lines(request: HttpRequest, job_id: UUID, filters: Query[LineFilters]) -> list[LineOut]:
    job = access.job_for_owner(request.user, job_id)
    lines = job.lines.order_by("line")
    if filters.outcome:
        lines = lines.filter(outcome=filters.outcome)
    return [LineOut.of(line) for line in lines[filters.offset : filters.offset + filters.limit]]
