"""Assessment API: ratification. The same loaders and services as the pages.

The provider's programme admins list a cohort's outcomes ready for ratification and send them as a batch; the
issuing institution's ratifiers list the batches sent to them (filtered by state and provider), read each learner's
entry, return one with a reason, and ratify a batch, which answers 202 with the background job to follow
(``/api/v1/jobs/{id}``). Lists are paginated (``limit``, ``offset``) in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from typing import Annotated
from uuid import UUID

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.assessment.access import ratification as access
from credo.assessment.api.router import router
from credo.assessment.models import Assessment, BatchState, EntryDecision, RatificationBatch, RatificationEntry
from credo.assessment.services import ratification
from credo.catalogue.api.schemas import Message, Page, Problems
from credo.core.api import JobOut


class ReadyOut(Schema):
    assessment_id: int
    learner_name: str
    learner_email: str
    attempt: int
    assessor: str
    released_at: datetime.datetime | None

    @classmethod
    def of(cls, assessment: Assessment) -> ReadyOut:
        return cls(
            assessment_id=assessment.pk,
            learner_name=assessment.learner.full_name,
            learner_email=assessment.learner.email,
            attempt=assessment.attempt,
            assessor=assessment.assessor.full_name or assessment.assessor.email,
            released_at=assessment.released_at,
        )


class BatchOut(Schema):
    id: int
    cohort: UUID
    cohort_name: str
    provider: str
    institution: str
    state: BatchState
    state_label: str = Field(description="The state in words: 'Waiting for ratification', not 'submitted'.")
    submitted_at: datetime.datetime
    ratified_at: datetime.datetime | None
    learners: int
    waiting: int
    ratified: int
    returned: int
    job: UUID | None = Field(description="The ratification job, once started: follow it at /api/v1/jobs/{id}.")
    page_url: str = Field(description="The batch's page, for a person.")

    @classmethod
    def of(cls, batch: RatificationBatch) -> BatchOut:
        cohort = batch.cohort
        return cls(
            id=batch.pk,
            cohort=cohort.public_id,
            cohort_name=str(cohort),
            provider=cohort.programme.provider.name,
            institution=batch.institution.name,
            state=BatchState(batch.state),
            state_label=batch.get_state_display(),
            submitted_at=batch.submitted_at,
            ratified_at=batch.ratified_at,
            learners=batch.learners,  # type: ignore[attr-defined]  # annotated by _counted
            waiting=batch.pending,  # type: ignore[attr-defined]
            ratified=batch.ratified,  # type: ignore[attr-defined]
            returned=batch.returned,  # type: ignore[attr-defined]
            job=batch.job.public_id if batch.job else None,
            page_url=reverse("assessment:ratification_batch", kwargs={"pk": batch.pk}),
        )


class EntryOut(Schema):
    id: int
    learner_name: str
    learner_email: str
    attempt: int
    outcome_label: str
    assessor: str
    moderation_label: str = Field(description="How moderation left it: 'Agreed', 'Not in the sample'…")
    moderation_reasons: list[str] = Field(description="Why it was sampled, in words; empty when passed by.")
    moderator: str
    sample_number: int | None
    sample_seed: str
    decision: EntryDecision
    decision_label: str
    reason: str = Field(description="Why it was returned, if it was.")
    attained_on: datetime.date | None

    @classmethod
    def of(cls, entry: RatificationEntry) -> EntryOut:
        assessment = entry.assessment
        sample_entry = getattr(assessment, "sample_entry", None)
        return cls(
            id=entry.pk,
            learner_name=assessment.learner.full_name,
            learner_email=assessment.learner.email,
            attempt=assessment.attempt,
            outcome_label=assessment.get_outcome_display(),
            assessor=assessment.assessor.full_name or assessment.assessor.email,
            moderation_label=sample_entry.get_state_display() if sample_entry else "Not drawn",
            moderation_reasons=list(sample_entry.reasons) if sample_entry else [],
            moderator=(sample_entry.moderator.full_name if sample_entry and sample_entry.moderator else ""),
            sample_number=sample_entry.sample.number if sample_entry else None,
            sample_seed=sample_entry.sample.seed if sample_entry else "",
            decision=EntryDecision(entry.decision),
            decision_label=entry.get_decision_display(),
            reason=entry.reason,
            attained_on=entry.attainment.attained_on if entry.attainment else None,
        )


def _counted(batches: object) -> object:
    return (
        batches.annotate(  # type: ignore[attr-defined]  # a QuerySet of batches
            learners=Count("entries"),
            pending=Count("entries", filter=Q(entries__decision=EntryDecision.PENDING)),
            ratified=Count("entries", filter=Q(entries__decision=EntryDecision.RATIFIED)),
            returned=Count("entries", filter=Q(entries__decision=EntryDecision.RETURNED)),
        )
        .select_related("cohort__programme__provider", "institution", "job")
        .order_by("-submitted_at", "-id")
    )


def _batch_out(pk: int) -> BatchOut:
    return BatchOut.of(_counted(RatificationBatch.objects.filter(pk=pk)).get())  # type: ignore[attr-defined]


class BatchFilters(Page):
    state: BatchState | None = Field(None, description="submitted, ratifying or ratified.")
    provider: Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)] = Field(
        "", description="A provider's slug."
    )


Reason = Annotated[str, StringConstraints(max_length=ratification.REASON_MAX, pattern=NUL_FREE)]


class ReturnIn(Schema):
    reason: Reason = Field(
        description="Why: the provider reads it; the learner is told their award needs another look."
    )


# The provider's side ---------------------------------------------------------------------------------------------


@router.get(
    "/cohorts/{public_id}/ratification/ready",
    auth=django_auth,
    response={200: list[ReadyOut], 401: Message, 403: Message, 404: Message},
    operation_id="assessment_ratification_ready",
    summary="A cohort's outcomes ready to send for ratification (the provider's programme admins)",
)
def ready(request: HttpRequest, public_id: UUID, filters: Query[Page]) -> list[ReadyOut]:
    cohort = access.cohort_for_sending(request.user, public_id)
    rows = ratification.ready_for_ratification(cohort)[filters.offset : filters.offset + filters.limit]
    return [ReadyOut.of(a) for a in rows]


@router.post(
    "/cohorts/{public_id}/ratification/batches",
    auth=django_auth,
    response={201: BatchOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="assessment_ratification_send",
    summary="Send every outcome of the cohort ready for ratification to the issuing institution, as one batch",
)
def send(request: HttpRequest, public_id: UUID) -> Reply[BatchOut]:
    """Refused (422) when nothing is ready, saying why: moderation not finished, or nothing competent yet."""
    cohort = access.cohort_for_sending(request.user, public_id)
    batch = ratification.send_for_ratification(cohort=cohort, actor=request.user)
    return Reply(201, _batch_out(batch.pk))


# The institution's side --------------------------------------------------------------------------------------------


@router.get(
    "/ratification/institutions/{slug}/batches",
    auth=django_auth,
    response={200: list[BatchOut], 401: Message, 403: Message, 404: Message},
    operation_id="assessment_ratification_batches",
    summary="The batches sent to an issuing institution, newest first (its ratifiers)",
)
def batches(request: HttpRequest, slug: str, filters: Query[BatchFilters]) -> list[BatchOut]:
    institution = access.institution_for_ratifier(request.user, slug)
    rows = RatificationBatch.objects.filter(institution=institution)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.provider:
        rows = rows.filter(cohort__programme__provider__slug=filters.provider)
    page = _counted(rows)[filters.offset : filters.offset + filters.limit]  # type: ignore[index]
    return [BatchOut.of(batch) for batch in page]


@router.get(
    "/ratification/batches/{pk}",
    auth=django_auth,
    response={200: BatchOut, 401: Message, 403: Message, 404: Message},
    operation_id="assessment_ratification_batch",
    summary="One batch (the institution's ratifiers; the provider's programme admins)",
)
def batch(request: HttpRequest, pk: int) -> BatchOut:
    return _batch_out(access.batch_for_reader(request.user, pk).pk)


@router.get(
    "/ratification/batches/{pk}/entries",
    auth=django_auth,
    response={200: list[EntryOut], 401: Message, 403: Message, 404: Message},
    operation_id="assessment_ratification_entries",
    summary="The batch's learners, with outcome, assessor, moderation evidence and decision",
)
def entries(request: HttpRequest, pk: int, filters: Query[Page]) -> list[EntryOut]:
    found = access.batch_for_reader(request.user, pk)
    rows = ratification.entries_of(found)[filters.offset : filters.offset + filters.limit]
    return [EntryOut.of(entry) for entry in rows]


@router.post(
    "/ratification/batches/{pk}/entries/{entry_id}/return",
    auth=django_auth,
    response={200: EntryOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="assessment_ratification_return",
    summary="Return one learner to the provider with a reason, before the batch is ratified (ratifiers)",
)
def return_learner(request: HttpRequest, pk: int, entry_id: int, payload: ReturnIn) -> EntryOut:
    found = access.batch_for_ratifier(request.user, pk)
    entry = ratification.return_entry(entry=access.entry_of(found, entry_id), actor=request.user, reason=payload.reason)
    return EntryOut.of(ratification.entries_of(found).get(pk=entry.pk))


@router.post(
    "/ratification/batches/{pk}/ratify",
    auth=django_auth,
    response={202: JobOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="assessment_ratification_ratify",
    summary="Ratify the batch: each learner's credential is issued in the background (ratifiers; cannot be undone)",
)
def ratify(request: HttpRequest, pk: int) -> Reply[JobOut]:
    """A conflict of interest (you assessed or moderated one of them) is a 403 naming the rule; a batch already
    being ratified is a 422."""
    found = access.batch_for_ratifier(request.user, pk)
    job = ratification.ratify(batch=found, actor=request.user)
    job.refresh_from_db()
    return Reply(202, JobOut.of(job))


__all__ = ["router"]
