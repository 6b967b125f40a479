"""Bulk award from a CSV file, and re-issuing every credential of an achievement, through the API.

The same services as the pages (``services.awards``, ``services.bulk``): an upload is checked and kept for preview
(422 listing every row and field at fault, nothing awarded); applying it checks it again and answers 202 with the
background job that awards it row by row, to be followed at ``/api/v1/jobs/{id}``. Uploads are refused by size
before anything is stored (``credo.core.uploads``).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, File, Path, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.security import django_auth

from credo.core.api import JobOut
from credo.core.uploads import bounded_upload
from credo.credentials import access
from credo.credentials.api.router import router
from credo.credentials.api.schemas import Message, Problems, ReasonIn, RowId, Slug
from credo.credentials.models import AwardBatch, AwardBatchState
from credo.credentials.services import awards, bulk

_SIZE = f"{awards.MAX_BYTES // (1024 * 1024)} MB"


class AwardProblemOut(Schema):
    line: int = Field(description="The file's line, as a spreadsheet numbers its rows (the header is 1; 0: the file).")
    field: str
    message: str


class AwardBatchSummary(Schema):
    id: int
    file_name: str
    state: AwardBatchState
    state_label: str = Field(description="The state in words.")
    rows: int
    uploaded_by: str
    created_at: datetime.datetime
    applied_at: datetime.datetime | None
    job: JobOut | None = Field(description="The job awarding it, once confirmed (shown to whoever confirmed it).")

    @staticmethod
    def fields_of(batch: AwardBatch, *, user: Any) -> dict[str, Any]:
        job = batch.job if batch.job is not None and batch.job.started_by_id == user.pk else None
        return {
            "id": batch.pk,
            "file_name": batch.file_name,
            "state": AwardBatchState(batch.state),
            "state_label": batch.get_state_display(),
            "rows": batch.row_count,
            "uploaded_by": batch.uploaded_by.email,
            "created_at": batch.created_at,
            "applied_at": batch.applied_at,
            "job": JobOut.of(job) if job else None,
        }


class AwardBatchOut(AwardBatchSummary):
    awards: int = Field(description="Rows that applying it would award (0 once it is being awarded).")
    invitations: int = Field(description="Of those, people without an account, who would be invited.")
    problems: list[AwardProblemOut] = Field(description="What stops the file, while it is not awarded.")

    @staticmethod
    def of(batch: AwardBatch, *, user: Any) -> AwardBatchOut:
        waiting = batch.state in (AwardBatchState.PREVIEWED, AwardBatchState.DISCARDED)
        plan = awards.plan_awards(batch.issuer, batch.csv_text) if waiting else awards.AwardPlan()
        return AwardBatchOut(
            **AwardBatchSummary.fields_of(batch, user=user),
            awards=len(plan.lines),
            invitations=plan.invitations,
            problems=[AwardProblemOut(line=p.line, field=p.field, message=p.message) for p in plan.problems],
        )


class BatchPath(Schema):
    slug: Slug
    batch_id: RowId


_STAFF = "For the issuer's programme admins and ratifiers."


@router.get(
    "/issuers/{slug}/award-batches",
    auth=django_auth,
    response={200: list[AwardBatchSummary], 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="List the issuer's uploaded CSV files of awards, newest first, with their state",
    description=_STAFF,
)
def list_award_batches(request: HttpRequest, slug: Path[Slug]) -> list[AwardBatchSummary]:
    issuer = access.issuer_for_staff(request.user, slug)
    batches = issuer.award_batches.select_related("uploaded_by", "job").order_by("-created_at", "-pk")
    return [AwardBatchSummary(**AwardBatchSummary.fields_of(batch, user=request.user)) for batch in batches[:100]]


@router.post(
    "/issuers/{slug}/award-batches",
    auth=django_auth,
    response={201: AwardBatchOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Upload a CSV file of awards to check it: nothing is awarded until it is applied",
    description=(
        f"{_STAFF} Columns: {', '.join(awards.COLUMNS)} (route and note optional); UTF-8, any line endings, "
        f"at most {awards.MAX_ROWS:,} rows and {_SIZE}. A file with any row at fault is refused with a 422 naming "
        "each row and field (and kept, discarded, so the issuer can see what was tried)."
    ),
)
@decorate_view(bounded_upload(awards.MAX_BYTES, check_csrf=False))  # session auth checks CSRF afterwards
def upload_award_batch(request: HttpRequest, slug: Path[Slug], file: File[UploadedFile]) -> Reply[AwardBatchOut]:
    issuer = access.issuer_for_staff(request.user, slug)
    # At most one byte over the limit is kept, so reading refuses an oversized file as too large.
    batch, plan = awards.upload_awards(
        actor=request.user, issuer=issuer, file_name=file.name or "", data=file.read(awards.MAX_BYTES + 1)
    )
    if not plan.ok:
        raise awards.AwardsRefusedError(plan)
    return Reply(201, AwardBatchOut.of(batch, user=request.user))


@router.get(
    "/issuers/{slug}/award-batches/{batch_id}",
    auth=django_auth,
    response={200: AwardBatchOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="One uploaded CSV file of awards: what applying it would do, or what stops it, or its job",
    description=_STAFF,
)
def get_award_batch(request: HttpRequest, path: Path[BatchPath]) -> AwardBatchOut:
    issuer = access.issuer_for_staff(request.user, path.slug)
    return AwardBatchOut.of(access.award_batch_of_issuer(issuer, path.batch_id), user=request.user)


@router.post(
    "/issuers/{slug}/award-batches/{batch_id}/apply",
    auth=django_auth,
    response={202: JobOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Award every row of a checked upload, in the background: answers with the job to follow",
    description=(
        f"{_STAFF} The file is checked again first: if any row is now wrong, nothing is started (422, naming "
        "the rows). Otherwise each row is awarded in its own transaction; a row that cannot be awarded by then "
        "is reported on its line of the job, and the others are still awarded. Follow /api/v1/jobs/{id}."
    ),
)
def apply_award_batch(request: HttpRequest, path: Path[BatchPath]) -> Reply[JobOut]:
    issuer = access.issuer_for_staff(request.user, path.slug)
    job = bulk.apply_awards(access.award_batch_of_issuer(issuer, path.batch_id), actor=request.user)
    return Reply(202, JobOut.of(job))


@router.post(
    "/issuers/{slug}/award-batches/{batch_id}/discard",
    auth=django_auth,
    response={200: AwardBatchOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Discard an upload waiting for confirmation: nothing in it is awarded",
    description=_STAFF,
)
def discard_award_batch(request: HttpRequest, path: Path[BatchPath]) -> AwardBatchOut:
    issuer = access.issuer_for_staff(request.user, path.slug)
    batch = access.award_batch_of_issuer(issuer, path.batch_id)
    awards.discard_awards(batch, actor=request.user)
    batch.refresh_from_db()
    return AwardBatchOut.of(batch, user=request.user)


class ReissuePath(Schema):
    slug: Slug
    public_id: UUID


@router.post(
    "/issuers/{slug}/achievements/{public_id}/reissue",
    auth=django_auth,
    response={202: JobOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Re-issue every active credential of an achievement after its details were corrected",
    description=(
        "For the issuer's programme admins only. Cannot be undone: each active credential is revoked with "
        "the reason 'Replaced by a corrected credential: <reason>', and its learner is sent a new one; suspended "
        "credentials are left alone. Runs in the background: answers with the job to follow at /api/v1/jobs/{id}."
    ),
)
def reissue_achievement(request: HttpRequest, path: Path[ReissuePath], payload: ReasonIn) -> Reply[JobOut]:
    issuer = access.issuer_for_programme_admin(request.user, path.slug)
    achievement = access.achievement_of_issuer(issuer, str(path.public_id))
    return Reply(202, JobOut.of(bulk.reissue_achievement(achievement, actor=request.user, reason=payload.reason)))
