"""What a learner does with attestations through the API: list, ask, cancel, send again, read what was written.

The same loaders and services as the pages (``access.own_portfolio``, ``own_section``, ``own_attestation_request``;
``services.attestations``): another person's portfolio is a 404, a refused change a 422 saying what to fix. The
attestor, who has no account, answers on the pages their link opens; there is no API for them.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.portfolios.access import own_attestation_request, own_portfolio, own_section
from credo.portfolios.api.router import router
from credo.portfolios.models import Attestation, AttestationRequest, AttestationState
from credo.portfolios.services import attestations

MAX_OFFSET = 1_000_000


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


Name = Annotated[str, StringConstraints(max_length=attestations.NAME_MAX, pattern=NUL_FREE)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=NUL_FREE)]
Text = Annotated[str, StringConstraints(max_length=attestations.MESSAGE_MAX, pattern=NUL_FREE)]
Relationship = Annotated[str, StringConstraints(max_length=40, pattern=NUL_FREE)]


class RequestFilters(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many to return (1 to 200).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip.")
    state: AttestationState | None = Field(None, description="Only requests in this state.")
    section: int | None = Field(None, ge=1, le=2**31 - 1, description="Only requests for this section (its id).")


class RequestIn(Schema):
    """Ask a named person for one of a section's attestations: they are emailed a link, valid for a set time."""

    section: int = Field(ge=1, le=2**31 - 1, description="The section's id.")
    requirement: int = Field(
        ge=0,
        le=32767,
        description="Which of the section's requirements: its index (the requirement's kind must be 'attestation').",
    )
    attestor_name: Name = Field(description="The person's name.")
    attestor_email: Email = Field(description="Their email address: the link goes there.")
    relationship: Relationship = Field(
        description="How they know your work: " + ", ".join(attestations.RELATIONSHIPS) + ". A requirement that "
        "names who must attest (e.g. 'a participant') accepts only those."
    )
    message: Text = Field("", description="Your personal message to them, in plain text.")


class AttestationOut(Schema):
    attestor_name: str
    attestor_role: str
    relationship: str
    answers: list[dict[str, str]]
    statement: str
    declared_true: bool
    completed_at: datetime.datetime
    content_sha256: str = Field(description="SHA-256 of the canonical JSON of what was attested.")

    @classmethod
    def of(cls, attestation: Attestation) -> AttestationOut:
        return cls(
            attestor_name=attestation.attestor_name,
            attestor_role=attestation.attestor_role,
            relationship=attestation.relationship,
            answers=attestation.answers,
            statement=attestation.statement,
            declared_true=attestation.declared_true,
            completed_at=attestation.completed_at,
            content_sha256=attestation.content_sha256,
        )


class RequestOut(Schema):
    id: int
    section: int
    section_title: str
    requirement: int
    asked_for: str
    attestor_name: str
    attestor_email: str
    relationship: str
    message: str
    state: AttestationState
    state_label: str = Field(description="The state in words.")
    sent_at: datetime.datetime
    expires_at: datetime.datetime
    opened_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    decline_reason: str
    attestation: AttestationOut | None = Field(None, description="Once completed: what the attestor wrote.")

    @classmethod
    def of(cls, request: AttestationRequest, *, with_attestation: bool = False) -> RequestOut:
        written = getattr(request, "attestation", None) if with_attestation else None
        return cls(
            id=request.pk,
            section=request.section_id,
            section_title=request.section.title,
            requirement=request.requirement,
            asked_for=attestations.asked_for(request),
            attestor_name=request.attestor_name,
            attestor_email=request.attestor_email,
            relationship=request.relationship,
            message=request.message,
            state=AttestationState(request.state),
            state_label=request.get_state_display(),
            sent_at=request.sent_at,
            expires_at=request.expires_at,
            opened_at=request.opened_at,
            answered_at=request.answered_at,
            cancelled_at=request.cancelled_at,
            decline_reason=request.decline_reason,
            attestation=AttestationOut.of(written) if written is not None else None,
        )


def _detail(user: object, enrolment_id: int, request_id: int) -> RequestOut:
    request = own_attestation_request(user, enrolment_id, request_id)
    return RequestOut.of(request, with_attestation=request.state == AttestationState.COMPLETED)


@router.get(
    "/my/{enrolment_id}/attestations",
    auth=django_auth,
    response={200: list[RequestOut], 401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_attestation_requests",
    summary="Your portfolio's attestation requests, newest first (filter by state or section)",
)
def my_requests(request: HttpRequest, enrolment_id: int, filters: Query[RequestFilters]) -> list[RequestOut]:
    portfolio = own_portfolio(request.user, enrolment_id)
    rows = AttestationRequest.objects.filter(portfolio=portfolio).select_related("section").order_by("-sent_at", "-pk")
    if filters.state is not None:
        rows = rows.filter(state=filters.state.value)
    if filters.section is not None:
        rows = rows.filter(section_id=filters.section)
    return [RequestOut.of(row) for row in rows[filters.offset : filters.offset + filters.limit]]


@router.post(
    "/my/{enrolment_id}/attestations",
    auth=django_auth,
    response={201: RequestOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_request_attestation",
    summary="Ask someone for an attestation: they are emailed a single-purpose link",
)
def request_attestation(request: HttpRequest, enrolment_id: int, payload: RequestIn) -> Reply[RequestOut]:
    """A section that asks for no such attestation, a relationship the requirement does not accept, a bad address or
    a second live request to the same person for the same requirement is a 422 saying what to do."""
    section = own_section(request.user, enrolment_id, payload.section)
    made = attestations.request_attestation(
        section=section,
        requirement=payload.requirement,
        actor=request.user,
        attestor_name=payload.attestor_name,
        attestor_email=payload.attestor_email,
        relationship=payload.relationship,
        message=payload.message,
    )
    return Reply(201, _detail(request.user, enrolment_id, made.pk))


@router.get(
    "/my/{enrolment_id}/attestations/{request_id}",
    auth=django_auth,
    response={200: RequestOut, 401: Message, 404: Message},
    operation_id="portfolios_my_attestation_request",
    summary="One of your attestation requests, with the attestation once it has been written (read-only)",
)
def my_request(request: HttpRequest, enrolment_id: int, request_id: int) -> RequestOut:
    return _detail(request.user, enrolment_id, request_id)


@router.post(
    "/my/{enrolment_id}/attestations/{request_id}/cancel",
    auth=django_auth,
    response={200: RequestOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_cancel_attestation_request",
    summary="Withdraw a request that has not been answered: its link stops working",
)
def cancel_request(request: HttpRequest, enrolment_id: int, request_id: int) -> RequestOut:
    ask = own_attestation_request(request.user, enrolment_id, request_id)
    attestations.cancel_request(request=ask, actor=request.user)
    return _detail(request.user, enrolment_id, request_id)


@router.post(
    "/my/{enrolment_id}/attestations/{request_id}/resend",
    auth=django_auth,
    response={201: RequestOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_resend_attestation_request",
    summary="Send the attestor a fresh link (the old one stops working); returns the new request",
)
def resend_request(request: HttpRequest, enrolment_id: int, request_id: int) -> Reply[RequestOut]:
    ask = own_attestation_request(request.user, enrolment_id, request_id)
    fresh = attestations.resend(request=ask, actor=request.user)
    return Reply(201, _detail(request.user, enrolment_id, fresh.pk))
