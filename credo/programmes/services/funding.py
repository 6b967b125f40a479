"""When cost is a barrier: a learner asks for a reduced fee, a payment plan or a letter for a grant; staff decide.

An approved payment plan spreads the unpaid invoice over monthly instalments (see
``payment_plan``); an approved grant letter is a PDF the learner downloads
(``credo.programmes.documents.grant_letter``). Both are worked out from the invoice when shown,
so a later reduced fee changes the schedule and the letter with it.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from credo.accounts.models import Role, User
from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes.models import (
    Cohort,
    Enrolment,
    FundingRequest,
    Invoice,
    InvoiceState,
    SupportDecision,
    SupportKind,
)
from credo.programmes.services import invoices
from credo.programmes.services.enrolments import require_cohort_staff, tell
from credo.programmes.services.fees import CENT, money

#: Where the cents that do not divide equally go; said on screen and in the decision email.
REMAINDER_RULE = "Where the total does not divide into equal cents, the first instalments are one cent more."

# Who hears of what ---------------------------------------------------------------------------------------------------


def cohort_staff_emails(cohort: Cohort, *, facilitators: bool = False, leaving_out: Any = None) -> list[str]:
    """The addresses of the provider's programme admins (and, with ``facilitators``, the cohort's facilitators who
    still hold that role), without ``leaving_out``: the person who did the thing needs no email about it."""
    provider_id = cohort.programme.provider_id
    who = Q(memberships__organisation_id=provider_id, memberships__role=Role.PROGRAMME_ADMIN)
    if facilitators:
        who |= Q(
            facilitated_cohorts=cohort, memberships__organisation_id=provider_id, memberships__role=Role.FACILITATOR
        )
    people = User.objects.filter(who, is_active=True)
    if getattr(leaving_out, "pk", None) is not None:
        people = people.exclude(pk=leaving_out.pk)
    return sorted(set(people.values_list("email", flat=True)))


def cohort_facilitators(cohort: Cohort, *, leaving_out: Any = None) -> list[User]:
    """The cohort's facilitators who still hold the role at its provider, as ``is_facilitator`` checks one."""
    people = User.objects.filter(
        is_active=True,
        facilitated_cohorts=cohort,
        memberships__organisation_id=cohort.programme.provider_id,
        memberships__role=Role.FACILITATOR,
    )
    if getattr(leaving_out, "pk", None) is not None:
        people = people.exclude(pk=leaving_out.pk)
    return list(people.distinct().order_by("email"))


def email_staff(to: Iterable[str], subject: str, lines: list[str]) -> None:
    """Queue one email to staff once the surrounding transaction commits (nothing is sent for a rollback)."""
    recipients = list(to)
    if not recipients:
        return
    body = "\n".join(lines)
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=recipients, from_email=settings.DEFAULT_FROM_EMAIL)
    )


# Payment plans -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    """One payment of a plan: its place in the plan, the amount and the day it falls due."""

    number: int
    amount: Decimal
    due_on: datetime.date


def _months_on(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later, or that month's last day when it is shorter (31 Jan -> 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def payment_plan(total: Decimal, instalments: int, first_due: datetime.date) -> list[Instalment]:
    """``total`` in ``instalments`` monthly payments that add up to it exactly, the first due on ``first_due``.

    Each payment is the total divided into whole cents; the cents left over go one each to the first
    instalments (REMAINDER_RULE), so no two payments differ by more than a cent. Later payments fall on
    the same day of each following month, counted from ``first_due``, or on the month's last day.
    """
    if isinstance(total, float) or not isinstance(total, Decimal):
        raise TypeError("Give the total as a Decimal, such as Decimal('746.35'): money is never a float.")
    if not total.is_finite() or total < 0 or total != total.quantize(CENT):
        raise ValueError(f"The total must be a whole number of cents, zero or more, not {total}.")
    if isinstance(instalments, bool) or not isinstance(instalments, int) or instalments < 1:
        raise ValueError(f"A plan has one instalment or more, not {instalments!r}.")
    cents = int(total / CENT)
    share, left_over = divmod(cents, instalments)
    return [
        Instalment(
            number=index + 1,
            amount=(Decimal(share + (1 if index < left_over else 0)) * CENT).quantize(CENT),
            due_on=_months_on(first_due, index),
        )
        for index in range(instalments)
    ]


def unpaid_invoice(enrolment: Enrolment) -> Invoice | None:
    """The invoice the learner still has to pay (the latest issued one), if any."""
    return enrolment.invoices.filter(state=InvoiceState.ISSUED).order_by("-issued_on", "-pk").first()


def schedule_for(request: FundingRequest, invoice: Invoice | None) -> list[Instalment]:
    """The payments of an approved plan for ``invoice`` (the unpaid one); none for anything else."""
    approved_plan = request.kind == SupportKind.PAYMENT_PLAN and request.decision == SupportDecision.APPROVED
    if not approved_plan or not request.instalments or invoice is None or invoice.state != InvoiceState.ISSUED:
        return []
    return payment_plan(invoice.total, request.instalments, invoice.due_on)


def schedule_lines(schedule: list[Instalment], currency: str) -> list[str]:
    """The plan as an email says it: a line an instalment, then the rule for left-over cents."""
    lines = [f"{item.number}. {currency} {item.amount} due {item.due_on.day} {item.due_on:%B %Y}" for item in schedule]
    return [*lines, REMAINDER_RULE]


# Grant letters -------------------------------------------------------------------------------------------------------


def letter_url(request: FundingRequest) -> str:
    """The absolute address of an approved grant letter, for emails (built from SITE_URL, like other links)."""
    return f"{str(settings.SITE_URL).rstrip('/')}{reverse('programmes:grant-letter-pdf', args=[request.pk])}"


# Requests and decisions ----------------------------------------------------------------------------------------------


def request_support(enrolment: Enrolment, *, actor: Any, kind: str, explanation: str) -> FundingRequest:
    if actor != enrolment.learner:
        raise PermissionDenied("Only the learner asks for support with their own fee.")
    if kind not in SupportKind.values:
        raise ValidationError({"kind": "Choose a reduced fee, a payment plan or a letter for a grant application."})
    if not explanation.strip():
        raise ValidationError({"explanation": "Tell us a little about your situation, so staff can decide."})
    try:
        with transaction.atomic():
            request = FundingRequest.objects.create(enrolment=enrolment, kind=kind, explanation=explanation.strip())
            record_event(
                actor=actor,
                action="programmes.support_requested",
                obj=request,
                organisation_id=enrolment.cohort.programme.provider_id,
                details={"kind": kind},
            )
    except IntegrityError:
        raise ValidationError(f"You already have a request for {SupportKind(kind).label.lower()} waiting.") from None
    _tell_admins(request)
    return request


def _tell_admins(request: FundingRequest) -> None:
    """Staff decide support requests, so they hear of each one (on commit, like every email)."""
    enrolment = request.enrolment
    learner = enrolment.learner
    lines = [
        f"{learner.full_name or learner.email} ({enrolment.cohort}) asks for {request.get_kind_display().lower()}:",
        "",
        request.explanation,
        "",
        "Decide it from the learner's enrolment page in the cohort's staff pages.",
    ]
    email_staff(
        cohort_staff_emails(enrolment.cohort), f"Support request from {learner.full_name or learner.email}", lines
    )


@transaction.atomic
def decide_support(
    request: FundingRequest,
    *,
    actor: Any,
    approve: bool,
    note: str,
    reduced_amount: Decimal | str | None = None,
    instalments: int | None = None,
) -> FundingRequest:
    """Approve or decline; an approved reduced fee replaces the unpaid invoice with one for the new amount."""
    request = (
        FundingRequest.objects.select_for_update().select_related("enrolment__cohort__programme").get(pk=request.pk)
    )
    enrolment = request.enrolment
    require_cohort_staff(actor, enrolment.cohort)
    if request.decision != SupportDecision.PENDING:
        raise ValidationError(f"This request was already {request.get_decision_display().lower()}.")
    if not note.strip():
        raise ValidationError({"note": "Give the learner a sentence explaining the decision."})
    replacement: Invoice | None = None
    replaced: list[Invoice] = []
    if approve and request.kind == SupportKind.REDUCED_FEE:
        if reduced_amount is None:
            raise ValidationError({"reduced_amount": "Give the reduced fee, before tax."})
        amount = money(reduced_amount)
        if not Decimal(0) <= amount < enrolment.fee_tier.amount:
            raise ValidationError({"reduced_amount": f"It must be less than the fee of {enrolment.fee_tier.amount}."})
        if enrolment.invoices.filter(state=InvoiceState.PAID).exists():
            raise ValidationError("The fee is already paid; refunds are made outside credo.")
        replaced = invoices.cancel_unpaid(enrolment, actor=actor, reason="Replaced after a reduced fee was approved")
        replacement = invoices.issue_invoice(enrolment, actor=actor, amount=amount)
        request.reduced_amount = amount
    if approve and request.kind == SupportKind.PAYMENT_PLAN:
        if not instalments or not 2 <= instalments <= 12:
            raise ValidationError({"instalments": "Give the number of instalments, from 2 to 12."})
        if unpaid_invoice(enrolment) is None:
            raise ValidationError("There is no unpaid invoice to spread over instalments: decline, or issue one first.")
        request.instalments = instalments
    request.decision = SupportDecision.APPROVED if approve else SupportDecision.DECLINED
    request.decision_note = note.strip()
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save()
    record_event(
        actor=actor,
        action=f"programmes.support_{request.decision}",
        obj=request,
        organisation_id=enrolment.cohort.programme.provider_id,
        details={
            "kind": request.kind,
            "note": request.decision_note,
            "reduced_amount": request.reduced_amount,
            "instalments": request.instalments,
        },
    )
    subject = f"Your request for {request.get_kind_display().lower()}: {request.get_decision_display().lower()}"
    lines = [
        f"Your request for {request.get_kind_display().lower()} is {request.get_decision_display().lower()}.",
        request.decision_note,
        *_what_follows(request),
    ]
    if replacement is None:
        tell(enrolment, subject, lines)
    else:
        # The learner pays the new invoice, so it goes with the email, as the first one did at registration.
        invoices.email_invoice(
            replacement,
            subject=subject,
            lines=[*lines, *_replacement_lines(replacement, replaced)],
            to=[enrolment.learner.email],
        )
    return request


def _replacement_lines(invoice: Invoice, replaced: list[Invoice]) -> list[str]:
    """The new invoice after a reduced fee, and which one it replaces, so the learner pays the right one."""
    old = ", ".join(item.reference for item in replaced)
    cancelled = []
    if len(replaced) == 1:
        cancelled = [f"The earlier invoice {old} is cancelled: do not pay it."]
    elif replaced:
        cancelled = [f"The earlier invoices {old} are cancelled: do not pay them."]
    return [
        "",
        f"Your new invoice is {invoice.reference}: {invoice.currency} {invoice.total} including "
        f"{invoice.tax_name or 'tax'}, due {invoice.due_on.day} {invoice.due_on:%B %Y}. It is attached.",
        *cancelled,
        "",
        *invoices.how_to_pay(invoice),
    ]


def _what_follows(request: FundingRequest) -> list[str]:
    """What an approval gives the learner, for the decision email: the plan's payments, or where the letter is."""
    if request.decision != SupportDecision.APPROVED:
        return []
    if request.kind == SupportKind.PAYMENT_PLAN:
        invoice = unpaid_invoice(request.enrolment)
        schedule = schedule_for(request, invoice)
        if invoice is None or not schedule:
            return []
        return [
            "",
            f"Invoice {invoice.reference} ({invoice.currency} {invoice.total}) is now payable in "
            f"{len(schedule)} monthly instalments:",
            *schedule_lines(schedule, invoice.currency),
            "Quote the invoice reference with each payment.",
        ]
    if request.kind == SupportKind.GRANT_LETTER:
        return [
            "",
            "Your letter for a grant application is ready. Sign in and download it (PDF) here:",
            letter_url(request),
            "It is also on your enrolment page.",
        ]
    return []
