"""Enrolment and invoice endpoints for a cohort's programme admins: read them, record payments, move enrolments
through their lifecycle, decide support requests. The same loaders (``access.staff``) and services as the pages.

Everything here lives under ``/cohorts/{public_id}/``, so an enrolment or invoice of another cohort is not found.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.security import django_auth

from credo.programmes import staff_words
from credo.programmes.access import staff as access_staff
from credo.programmes.access.common import cohort_for_staff
from credo.programmes.api.router import router
from credo.programmes.models import Enrolment, EnrolmentState, FundingRequest, Invoice, InvoiceState
from credo.programmes.services import enrolments, funding


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class InvoiceOut(Schema):
    id: int
    reference: str
    enrolment: int
    addressed_to: str
    email: str
    currency: str
    amount_excluding_tax: Decimal
    tax_name: str
    tax_amount: Decimal
    total: Decimal
    issued_on: datetime.date
    due_on: datetime.date
    state: str
    paid_on: datetime.date | None
    payment_reference: str

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceOut:
        return cls(
            id=invoice.pk,
            reference=invoice.reference,
            enrolment=invoice.enrolment_id,
            addressed_to=invoice.addressed_to,
            email=invoice.email,
            currency=invoice.currency,
            amount_excluding_tax=invoice.amount_excluding_tax,
            tax_name=invoice.tax_name,
            tax_amount=invoice.tax_amount,
            total=invoice.total,
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            state=invoice.state,
            paid_on=invoice.paid_on,
            payment_reference=invoice.payment_reference,
        )


class SupportRequestOut(Schema):
    id: int
    kind: str
    explanation: str
    decision: str
    reduced_amount: Decimal | None
    instalments: int | None
    decision_note: str

    @classmethod
    def of(cls, request: FundingRequest) -> SupportRequestOut:
        return cls(
            id=request.pk,
            kind=request.kind,
            explanation=request.explanation,
            decision=request.decision,
            reduced_amount=request.reduced_amount,
            instalments=request.instalments,
            decision_note=request.decision_note,
        )


class EnrolmentOut(Schema):
    id: int
    cohort: UUID
    learner_email: str
    learner_name: str
    state: str
    state_label: str = Field(description="The state in words, as staff pages show it: 'Registered, not yet paid'.")
    organisation_name: str
    organisation_type: str
    fee_tier: str
    invoice_to_organisation: bool
    deferred_to: int | None
    state_changed_at: datetime.datetime

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentOut:
        return cls(
            id=enrolment.pk,
            cohort=enrolment.cohort.public_id,
            learner_email=enrolment.learner.email,
            learner_name=enrolment.learner.full_name,
            state=enrolment.state,
            state_label=staff_words.enrolment_state(enrolment.state),
            organisation_name=enrolment.organisation_name,
            organisation_type=enrolment.organisation_type,
            fee_tier=enrolment.fee_tier.code,
            invoice_to_organisation=enrolment.invoice_to_organisation,
            deferred_to=enrolment.deferred_to_id,
            state_changed_at=enrolment.state_changed_at,
        )


class GivenAnswerOut(Schema):
    """A registration question as the learner was asked it, and what they answered ("Confirmed" for a statement)."""

    kind: str
    question: str
    answer: str


class EnrolmentDetail(EnrolmentOut):
    invoices: list[InvoiceOut]
    support_requests: list[SupportRequestOut]
    registration_answers: list[GivenAnswerOut]


class PaymentIn(Schema):
    """``paid_on`` is a day in ``time_zone``: by default the caller's own (their profile's), else the cohort's."""

    paid_on: datetime.date
    reference: str = ""
    time_zone: str = ""


class MoveIn(Schema):
    """``reason`` is required for confirm, withdraw and lapse; ``to`` (a cohort's public id) for defer."""

    reason: str = ""
    to: UUID | None = None


class DecisionIn(Schema):
    decision: Literal["approve", "decline"]
    note: str
    reduced_amount: Decimal | None = None
    instalments: int | None = None


_READ = {200: EnrolmentDetail, 401: Message, 403: Message, 404: Message}
_WRITE = {200: EnrolmentDetail, 401: Message, 403: Message, 404: Message, 422: Problems}


def _detail(user: object, public_id: UUID, pk: int) -> EnrolmentDetail:
    enrolment = access_staff.enrolment_in_cohort(user, str(public_id), pk)
    base = EnrolmentOut.of(enrolment)
    return EnrolmentDetail(
        **base.dict(),
        invoices=[InvoiceOut.of(i) for i in enrolment.invoices.select_related("provider").order_by("number")],
        support_requests=[SupportRequestOut.of(r) for r in enrolment.funding_requests.order_by("created_at")],
        registration_answers=[GivenAnswerOut(**given) for given in enrolment.registration_answers],
    )


@router.get(
    "/cohorts/{public_id}/enrolments",
    auth=django_auth,
    response={200: list[EnrolmentOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="A cohort's enrolments, optionally of one state (the provider's programme admins)",
)
def list_enrolments(request: HttpRequest, public_id: UUID, state: str = "") -> list[EnrolmentOut]:
    cohort = cohort_for_staff(request.user, str(public_id))
    rows = access_staff.cohort_enrolments(cohort).order_by("learner__full_name", "learner__email")
    if state:
        _known(state, EnrolmentState.values)
        rows = rows.filter(state=state)
    return [EnrolmentOut.of(enrolment) for enrolment in rows]


@router.get(
    "/cohorts/{public_id}/enrolments/{enrolment_id}",
    auth=django_auth,
    response=_READ,
    summary="One enrolment with its invoices and support requests (the provider's programme admins)",
)
def read_enrolment(request: HttpRequest, public_id: UUID, enrolment_id: int) -> EnrolmentDetail:
    return _detail(request.user, public_id, enrolment_id)


@router.post(
    "/cohorts/{public_id}/enrolments/{enrolment_id}/{move}",
    auth=django_auth,
    response=_WRITE,
    summary="Move an enrolment: confirm, activate, withdraw, defer or lapse (the provider's programme admins)",
)
def move_enrolment(
    request: HttpRequest,
    public_id: UUID,
    enrolment_id: int,
    move: Literal["confirm", "activate", "withdraw", "defer", "lapse"],
    payload: MoveIn,
) -> EnrolmentDetail:
    enrolment = access_staff.enrolment_in_cohort(request.user, str(public_id), enrolment_id)
    actor = request.user
    if move == "confirm":
        enrolments.confirm(enrolment, actor=actor, reason=_reason(payload))
    elif move == "activate":
        enrolments.activate(enrolment, actor=actor)
    elif move == "withdraw":
        enrolments.withdraw(enrolment, actor=actor, reason=payload.reason)
    elif move == "defer":
        if payload.to is None:
            raise _problem("to", "Give the public id of the cohort to defer to.")
        to = cohort_for_staff(request.user, str(payload.to))
        enrolments.defer(enrolment, actor=actor, to=to, reason=_reason(payload))
    else:
        enrolments.lapse(enrolment, actor=actor, reason=_reason(payload))
    return _detail(request.user, public_id, enrolment_id)


def _problem(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _known(state: str, states: list[str]) -> None:
    if state not in states:
        raise _problem("state", f"Use one of: {', '.join(states)}.")


def _reason(payload: MoveIn) -> str:
    if not payload.reason.strip():
        raise _problem("reason", "Say why, for the record.")
    return payload.reason.strip()


@router.get(
    "/cohorts/{public_id}/invoices",
    auth=django_auth,
    response={200: list[InvoiceOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="A cohort's invoices, optionally of one state (the provider's programme admins)",
)
def list_invoices(request: HttpRequest, public_id: UUID, state: str = "") -> list[InvoiceOut]:
    cohort = cohort_for_staff(request.user, str(public_id))
    rows = Invoice.objects.filter(enrolment__cohort=cohort).select_related("provider").order_by("number")
    if state:
        _known(state, InvoiceState.values)
        rows = rows.filter(state=state)
    return [InvoiceOut.of(invoice) for invoice in rows]


@router.get(
    "/cohorts/{public_id}/invoices/{invoice_id}",
    auth=django_auth,
    response={200: InvoiceOut, 401: Message, 403: Message, 404: Message},
    summary="One invoice of a cohort (the provider's programme admins)",
)
def read_invoice(request: HttpRequest, public_id: UUID, invoice_id: int) -> InvoiceOut:
    return InvoiceOut.of(access_staff.invoice_in_cohort(request.user, str(public_id), invoice_id))


@router.post(
    "/cohorts/{public_id}/invoices/{invoice_id}/payment",
    auth=django_auth,
    response={200: InvoiceOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Record that an invoice was paid; an applied enrolment is then confirmed (the provider's programme admins)",
)
def record_payment(request: HttpRequest, public_id: UUID, invoice_id: int, payload: PaymentIn) -> InvoiceOut:
    invoice = access_staff.invoice_in_cohort(request.user, str(public_id), invoice_id)
    enrolments.record_payment(
        invoice,
        actor=request.user,
        paid_on=payload.paid_on,
        reference=payload.reference,
        zone_name=payload.time_zone,
    )
    return InvoiceOut.of(access_staff.invoice_in_cohort(request.user, str(public_id), invoice_id))


@router.post(
    "/cohorts/{public_id}/support-requests/{request_id}/decision",
    auth=django_auth,
    response={200: SupportRequestOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Approve or decline a learner's request for support with the fee (the provider's programme admins)",
)
def decide_support(request: HttpRequest, public_id: UUID, request_id: int, payload: DecisionIn) -> SupportRequestOut:
    support = access_staff.funding_request_in_cohort(request.user, str(public_id), request_id)
    decided = funding.decide_support(
        support,
        actor=request.user,
        approve=payload.decision == "approve",
        note=payload.note,
        reduced_amount=payload.reduced_amount,
        instalments=payload.instalments,
    )
    return SupportRequestOut.of(decided)
