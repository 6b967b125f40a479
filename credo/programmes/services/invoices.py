"""Invoices: numbered per provider without gaps or repeats, amounts and supplier fixed when issued, emailed with
their PDF, reminded when due; payments recorded by staff."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from credo.audit.services import record_event
from credo.programmes.models import (
    Enrolment,
    EnrolmentState,
    Invoice,
    InvoiceCounter,
    InvoiceState,
    ProviderBilling,
)
from credo.programmes.services.fees import quote


def _next_number(provider_id: int) -> int:
    InvoiceCounter.objects.get_or_create(provider_id=provider_id)
    counter = InvoiceCounter.objects.select_for_update().get(provider_id=provider_id)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def issue_invoice(
    enrolment: Enrolment, *, actor: Any, amount: Decimal | None = None, now: datetime.datetime | None = None
) -> Invoice:
    """An invoice for the enrolment's fee (or ``amount``, after an approved reduction), before and with tax."""
    cohort = enrolment.cohort
    provider = cohort.programme.provider
    fee = quote(
        enrolment.fee_tier.amount if amount is None else amount,
        tax_rate=cohort.tax_rate,
        tax_name=cohort.tax_name,
        currency=cohort.currency,
    )
    learner = enrolment.learner
    today = timezone.localdate(now or timezone.now(), cohort_zone(cohort))  # the provider's calendar
    billing = ProviderBilling.objects.filter(provider=provider).first()
    invoice = Invoice.objects.create(
        provider=provider,
        number=_next_number(provider.pk),
        enrolment=enrolment,
        addressed_to=enrolment.organisation_name if enrolment.invoice_to_organisation else learner.full_name,
        address_detail=f"For {learner.full_name}" if enrolment.invoice_to_organisation else enrolment.organisation_name,
        email=learner.email,
        description=f"{cohort.programme.name}, {cohort.name}: {enrolment.fee_tier.name}",
        currency=fee.currency,
        amount_excluding_tax=fee.amount,
        tax_name=fee.tax_name,
        tax_rate=fee.tax_rate,
        tax_amount=fee.tax,
        total=fee.total,
        issued_on=today,
        due_on=today + datetime.timedelta(days=cohort.payment_terms_days),
        # A copy, not a link: a later change of address or bank account must not rewrite an invoice already sent.
        supplier_name=(billing.legal_name if billing else "") or provider.name,
        supplier_tax_number=billing.tax_number if billing else "",
        supplier_address=billing.postal_address if billing else "",
        supplier_email=billing.billing_email if billing else "",
        payment_instructions=billing.payment_instructions if billing else "",
    )
    record_event(
        actor=actor,
        action="programmes.invoice_issued",
        obj=invoice,
        organisation_id=provider.pk,
        details={"number": invoice.number, "total": invoice.total, "currency": invoice.currency},
    )
    return invoice


def cohort_zone(cohort: Any) -> datetime.tzinfo:
    return ZoneInfo(cohort.time_zone)


def date_zone(person: Any, cohort: Any) -> str:
    """The zone of the days a person types: their own (their profile's), else the cohort's."""
    name = getattr(person, "time_zone", "") or ""
    if not name:
        return str(cohort.time_zone)
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return str(cohort.time_zone)  # a zone since removed from the database: the cohort's, rather than fail
    return name


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def issued_day_in(invoice: Invoice, zone_name: str) -> datetime.date:
    """The day, in ``zone_name``, on which the invoice's day of issue began in its cohort's zone: an invoice of
    8 December in Auckland was issued on 7 December in London."""
    started = datetime.datetime.combine(
        invoice.issued_on, datetime.time(0), tzinfo=cohort_zone(invoice.enrolment.cohort)
    )
    return timezone.localdate(started, ZoneInfo(zone_name))


def check_payment(
    invoice: Invoice, *, paid_on: datetime.date, zone_name: str = "", now: datetime.datetime | None = None
) -> None:
    """Refuse a payment that cannot be recorded: the invoice is not issued, or ``paid_on`` (a day in ``zone_name``,
    the cohort's when not given) is after that zone's today or before the day of issue as it fell there."""
    if invoice.state != InvoiceState.ISSUED:
        raise ValidationError(f"Invoice {invoice.reference} is {invoice.get_state_display().lower()}.")
    cohort = invoice.enrolment.cohort
    zone_name = zone_name or cohort.time_zone
    today = timezone.localdate(now or timezone.now(), ZoneInfo(zone_name))
    if paid_on > today:
        problem = (
            f"A payment cannot be recorded for a day that has not come yet: today is {_day(today)} in {zone_name}."
        )
        raise ValidationError({"paid_on": problem})
    issued = issued_day_in(invoice, zone_name)
    if paid_on < issued:
        when = f"{_day(invoice.issued_on)} in {cohort.time_zone}"
        if issued != invoice.issued_on:
            when += f", which was {_day(issued)} in {zone_name}"
        raise ValidationError({"paid_on": f"The invoice was issued on {when}: the payment cannot be earlier."})


def mark_paid(
    invoice: Invoice,
    *,
    actor: Any,
    paid_on: datetime.date,
    reference: str = "",
    zone_name: str = "",
    now: datetime.datetime | None = None,
) -> Invoice:
    """Record the payment of an issued invoice (call inside a transaction; see ``enrolments.record_payment``).

    ``paid_on`` is a day in ``zone_name``, the zone of the person who typed it (the cohort's when not given): it is
    compared with their today and with the day of issue as it fell in their zone, so a UK admin can record a payment
    made this morning on an invoice dated tomorrow in New Zealand.
    """
    invoice = Invoice.objects.select_for_update().select_related("enrolment__cohort").get(pk=invoice.pk)
    check_payment(invoice, paid_on=paid_on, zone_name=zone_name, now=now)
    invoice.state = InvoiceState.PAID
    invoice.paid_on = paid_on
    invoice.payment_reference = reference.strip()
    invoice.recorded_by = actor
    invoice.save(update_fields=["state", "paid_on", "payment_reference", "recorded_by"])
    record_event(
        actor=actor,
        action="programmes.invoice_paid",
        obj=invoice,
        organisation_id=invoice.provider_id,
        details={
            "number": invoice.number,
            "paid_on": paid_on,
            "paid_on_zone": zone_name,
            "reference": invoice.payment_reference,
        },
    )
    return invoice


def cancel_unpaid(enrolment: Enrolment, *, actor: Any, reason: str) -> list[Invoice]:
    cancelled = list(Invoice.objects.select_for_update().filter(enrolment=enrolment, state=InvoiceState.ISSUED))
    for invoice in cancelled:
        invoice.state = InvoiceState.CANCELLED
        invoice.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="programmes.invoice_cancelled",
            obj=invoice,
            organisation_id=invoice.provider_id,
            details={"number": invoice.number, "reason": reason},
        )
    return cancelled


# Emails that carry the invoice ------------------------------------------------------------------------------


def how_to_pay(invoice: Invoice) -> list[str]:
    """The payment lines of an email: the provider's instructions as the invoice copied them, and the reference."""
    lines = ["How to pay:", *invoice.payment_instructions.splitlines()] if invoice.payment_instructions else []
    return [*lines, f"Quote reference {invoice.reference} when you pay."]


def email_invoice(invoice: Invoice, *, subject: str, lines: list[str], to: list[str] | None = None) -> None:
    """Email ``lines`` with the invoice PDF attached, once the current transaction commits.

    The task gets the invoice's id, not the PDF (task arguments are JSON), and renders it in the worker.
    """
    # The task module imports the services, so importing it at the top of this one would be circular.
    from credo.programmes.tasks import send_invoice_email

    enrolment = invoice.enrolment
    learner = enrolment.learner
    greeting = enrolment.cohort.programme.provider.greeting
    body = "\n".join([f"{greeting} {learner.full_name or learner.email},", "", *lines])
    recipients = to or [invoice.email]
    invoice_id = invoice.pk
    transaction.on_commit(
        lambda: send_invoice_email.enqueue(invoice_id=invoice_id, subject=subject, body=body, to=recipients)
    )


# Reminders that an invoice is due ---------------------------------------------------------------------------

#: A learner is reminded when their unpaid invoice falls due within this many days, and again once it is overdue.
REMIND_BEFORE_DUE = datetime.timedelta(days=3)
DUE_SOON, OVERDUE = "due soon", "overdue"
#: Enrolments whose unpaid invoices are no longer chased (those moves cancel them; this is belt and braces).
NOT_CHASED = (EnrolmentState.WITHDRAWN, EnrolmentState.DEFERRED)


def reminder_needed(invoice: Invoice, today: datetime.date) -> str | None:
    """Which reminder an issued invoice needs on ``today`` (the cohort's date): DUE_SOON, OVERDUE or None.

    At most two per invoice: one in the last days before the due date (not on the day it was issued, whose email
    said when it is due), and one once it is overdue. ``reminder_sent_on`` tells which have gone.
    """
    if today > invoice.due_on:
        only_due_soon_sent = invoice.reminder_sent_on is None or invoice.reminder_sent_on <= invoice.due_on
        return OVERDUE if only_due_soon_sent else None
    if invoice.reminder_sent_on is None and today > invoice.issued_on and invoice.due_on - today <= REMIND_BEFORE_DUE:
        return DUE_SOON
    return None


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind learners of unpaid invoices falling due within three days or overdue; returns how many were sent.

    Safe to run often and from several workers at once: each invoice is locked (a locked one is skipped: another
    worker has it) and its ``reminder_sent_on`` is set by a conditional update before the email is queued.
    """
    now = now or timezone.now()
    # Every zone's today is at most a day after UTC's: candidates by that, each checked in its cohort's zone.
    horizon = now.astimezone(datetime.UTC).date() + REMIND_BEFORE_DUE + datetime.timedelta(days=1)
    candidates = (
        Invoice.objects.filter(state=InvoiceState.ISSUED, due_on__lte=horizon)
        .filter(Q(reminder_sent_on__isnull=True) | Q(reminder_sent_on__lte=F("due_on")))
        .exclude(enrolment__state__in=NOT_CHASED)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    return sum(_remind(pk, now) for pk in list(candidates))


def _remind(invoice_pk: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("provider", "enrolment__cohort__programme__provider", "enrolment__learner")
            .filter(pk=invoice_pk, state=InvoiceState.ISSUED)
            .exclude(enrolment__state__in=NOT_CHASED)
            .first()
        )
        if invoice is None:  # paid, cancelled or withdrawn meanwhile, or another worker holds it
            return False
        cohort = invoice.enrolment.cohort
        today = timezone.localdate(now, cohort_zone(cohort))
        kind = reminder_needed(invoice, today)
        if kind is None:
            return False
        # SQLite has no row locks: the update claims the reminder only if nobody has sent it since we read it.
        claimed = Invoice.objects.filter(pk=invoice.pk, reminder_sent_on=invoice.reminder_sent_on).update(
            reminder_sent_on=today
        )
        if not claimed:
            return False
        amount = f"total {invoice.currency} {invoice.total}"
        due = f"{invoice.due_on.day} {invoice.due_on:%B %Y}"
        if kind == OVERDUE:
            subject = f"Invoice {invoice.reference} is overdue"
            first = f"Invoice {invoice.reference} for {cohort}, {amount}, was due on {due} and is now overdue."
        else:
            subject = f"Invoice {invoice.reference} is due on {due}"
            when = "today" if invoice.due_on == today else f"on {due}"
            first = f"A reminder that invoice {invoice.reference} for {cohort}, {amount}, is due {when}."
        ask = f" or write to {invoice.supplier_email}" if invoice.supplier_email else ""
        lines = [
            first,
            "",
            *how_to_pay(invoice),
            "",
            "The invoice is attached. If you have paid it already, thank you: it can take a few days to be recorded.",
            f"If cost is a barrier, you can ask for support from your dashboard{ask}.",
        ]
        learner_email = invoice.enrolment.learner.email
        email_invoice(invoice, subject=subject, lines=lines, to=list(dict.fromkeys([learner_email, invoice.email])))
    return True
