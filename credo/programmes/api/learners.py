"""What a learner does through the API: register for a cohort, follow their own enrolments, download an invoice.

The same loaders and services as the pages: registration is ``enrolments.register`` (so a late registration is
refused with the service's own sentence, as a 422), a learner reaches only their own enrolments
(``access.common.own_enrolment``), and an invoice PDF is for the learner it bills and the provider's programme admins
(``access.public.invoice_for``, as the invoice page).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.programmes import staff_words
from credo.programmes.access import api as access_api
from credo.programmes.access.common import own_enrolment, public_cohort
from credo.programmes.access.public import invoice_for, public_programme
from credo.programmes.api.enrolments import InvoiceOut
from credo.programmes.api.router import router
from credo.programmes.documents.invoice import invoice_pdf
from credo.programmes.models import Enrolment, Invoice, OrganisationType, QuestionKind, RegistrationQuestion, Session
from credo.programmes.services import enrolments, questions, study, workshops


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


Name = Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)]


Answer = Annotated[str, StringConstraints(max_length=questions.MAX_ANSWER, pattern=NUL_FREE)]


class AnswerIn(Schema):
    """Your answer to one of the programme's registration questions (see its ``registration-questions``)."""

    question: int = Field(description="The question's id.")
    confirmed: bool = Field(False, description="For a statement: true to confirm it applies to you.")
    answer: Answer = Field("", description="For a question: your answer, in your own words.")


class RegistrationIn(Schema):
    """The signed-in person registers themself; the service checks the window, the answers and the fee tier."""

    organisation_name: Name = Field(description="The organisation you work with, or 'self-employed'.")
    organisation_type: OrganisationType = Field(description="The kind of organisation: it sets your fee tier.")
    answers: list[AnswerIn] = Field(
        default_factory=list,
        description="Your answers to the programme's registration questions; a programme asks none unless its "
        "admins added some. Every statement must be confirmed, and every required question answered.",
        max_length=questions.MAX_QUESTIONS,
    )
    terms_accepted: bool = Field(False, description="You accept the terms of registration.")
    invoice_to_organisation: bool = Field(False, description="Address the invoice to your organisation, not you.")
    full_name: Name = Field("", description="Needed only if your account has no name yet: it goes on the invoice.")


class CohortRef(Schema):
    public_id: UUID
    provider: str
    programme: str
    programme_name: str
    slug: str
    name: str
    time_zone: str
    url: str


class MyInvoiceOut(Schema):
    """An invoice as its learner sees it; ``pdf`` is where to download it."""

    id: int
    reference: str
    addressed_to: str
    currency: str
    amount_excluding_tax: Decimal
    tax_name: str
    tax_amount: Decimal
    total: Decimal
    issued_on: datetime.date
    due_on: datetime.date
    state: str
    paid_on: datetime.date | None
    pdf: str

    @classmethod
    def of(cls, invoice: Invoice) -> MyInvoiceOut:
        # The staff view of an invoice, less what is only staff's (the email it went to, the payment reference).
        shared = InvoiceOut.of(invoice).model_dump(include=set(cls.model_fields) - {"pdf"})
        return cls(**shared, pdf=reverse("api:programmes_invoice_pdf", kwargs={"invoice_id": invoice.pk}))


class NextWorkshopOut(Schema):
    id: UUID
    number: int
    topic: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    when: str


class MyEnrolmentOut(Schema):
    id: int
    cohort: CohortRef
    state: str
    state_label: str = Field(description="Where the place stands, in words: 'Registered, not yet paid', not 'applied'.")
    organisation_name: str
    organisation_type: str
    fee_tier: str
    invoice_to_organisation: bool
    registered_at: datetime.datetime
    state_changed_at: datetime.datetime
    url: str

    @classmethod
    def of(cls, enrolment: Enrolment) -> MyEnrolmentOut:
        cohort = enrolment.cohort
        programme = cohort.programme
        return cls(
            id=enrolment.pk,
            cohort=CohortRef(
                public_id=cohort.public_id,
                provider=programme.provider.slug,
                programme=programme.slug,
                programme_name=programme.name,
                slug=cohort.slug,
                name=cohort.name,
                time_zone=cohort.time_zone,
                url=reverse("programmes:cohort", args=[programme.provider.slug, programme.slug, cohort.slug]),
            ),
            state=enrolment.state,
            state_label=staff_words.enrolment_state(enrolment.state),
            organisation_name=enrolment.organisation_name,
            organisation_type=enrolment.organisation_type,
            fee_tier=enrolment.fee_tier.code,
            invoice_to_organisation=enrolment.invoice_to_organisation,
            registered_at=enrolment.created_at,
            state_changed_at=enrolment.state_changed_at,
            url=reverse("programmes:my-enrolment", args=[enrolment.pk]),
        )


class MyEnrolmentDetail(MyEnrolmentOut):
    """The enrolment with what the learner's dashboard shows: invoices, check-ins and what comes next."""

    invoices: list[MyInvoiceOut]
    check_ins_allowed: int
    check_ins_used: int
    check_ins_left: int
    next_workshop: NextWorkshopOut | None
    submission_deadline: datetime.datetime


def _workshop(session: Session, viewer: Any) -> NextWorkshopOut:
    return NextWorkshopOut(
        id=session.public_id,
        number=session.number,
        topic=session.topic,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        when=workshops.both_times(session, viewer),
    )


def _detail(enrolment: Enrolment, viewer: Any) -> MyEnrolmentDetail:
    shown = study.timeline(enrolment, timezone.now())
    return MyEnrolmentDetail(
        **MyEnrolmentOut.of(enrolment).dict(),
        invoices=[MyInvoiceOut.of(i) for i in enrolment.invoices.select_related("provider").order_by("number")],
        check_ins_allowed=shown.check_ins_allowed,
        check_ins_used=shown.check_ins_used,
        check_ins_left=shown.check_ins_left,
        next_workshop=_workshop(shown.next_workshop, viewer) if shown.next_workshop else None,
        submission_deadline=shown.submission_deadline,
    )


class QuestionOut(Schema):
    id: int
    kind: QuestionKind = Field(description="statement: confirm it (``confirmed``); question: answer it (``answer``).")
    text: str
    required: bool

    @classmethod
    def of(cls, question: RegistrationQuestion) -> QuestionOut:
        return cls(id=question.pk, kind=QuestionKind(question.kind), text=question.text, required=question.required)


def _is_statement(given: AnswerIn, asked: dict[int, RegistrationQuestion]) -> bool:
    question = asked.get(given.question)
    return question is not None and question.kind == QuestionKind.STATEMENT


@router.get(
    "/public/programmes/{provider}/{programme}/registration-questions",
    response={200: list[QuestionOut], 404: Message},
    operation_id="programmes_registration_questions",
    summary="What a programme asks everyone who registers: statements to confirm and questions to answer",
)
def registration_questions(request: HttpRequest, provider: str, programme: str) -> list[QuestionOut]:
    offered = public_programme(provider, programme)
    return [QuestionOut.of(question) for question in offered.registration_questions.all()]


@router.post(
    "/public/programmes/{provider}/{programme}/cohorts/{cohort}/registration",
    auth=django_auth,
    response={201: MyEnrolmentDetail, 401: Message, 404: Message, 422: Problems},
    operation_id="programmes_register",
    summary="Register yourself for a cohort: an invoice is issued and emailed, or a waiting-list place given",
)
def register(
    request: HttpRequest, provider: str, programme: str, cohort: str, payload: RegistrationIn
) -> Reply[MyEnrolmentDetail]:
    """A late registration, a statement not confirmed, a required question unanswered or a second registration is a
    422 saying what to do."""
    found = public_cohort(provider, programme, cohort)
    asked = {question.pk: question for question in found.programme.registration_questions.all()}
    enrolment = enrolments.register(
        cohort=found,
        learner=request.user,
        organisation_name=payload.organisation_name,
        organisation_type=payload.organisation_type.value,
        answers={
            given.question: given.confirmed if _is_statement(given, asked) else given.answer
            for given in payload.answers
        },
        terms_accepted=payload.terms_accepted,
        invoice_to_organisation=payload.invoice_to_organisation,
        full_name=payload.full_name,
    )
    return Reply(201, _detail(own_enrolment(request.user, enrolment.pk), request.user))


@router.get(
    "/my/enrolments",
    auth=django_auth,
    response={200: list[MyEnrolmentOut], 401: Message},
    operation_id="programmes_my_enrolments",
    summary="Your own enrolments, newest intake first",
)
def my_enrolments(request: HttpRequest) -> list[MyEnrolmentOut]:
    return [MyEnrolmentOut.of(enrolment) for enrolment in access_api.own_enrolments(request.user)]


@router.get(
    "/my/enrolments/{enrolment_id}",
    auth=django_auth,
    response={200: MyEnrolmentDetail, 401: Message, 404: Message},
    operation_id="programmes_my_enrolment",
    summary="One of your enrolments: its state, invoices, check-ins used and left, and the next workshop",
)
def my_enrolment(request: HttpRequest, enrolment_id: int) -> MyEnrolmentDetail:
    return _detail(own_enrolment(request.user, enrolment_id), request.user)


@router.get(
    "/invoices/{invoice_id}/pdf",
    auth=django_auth,
    response={401: Message, 403: Message, 404: Message},
    operation_id="programmes_invoice_pdf",
    url_name="programmes_invoice_pdf",
    summary="An invoice as a PDF (the learner it bills, and the provider's programme admins)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The invoice as issued, an A4 PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def invoice_download(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_for(request.user, invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
