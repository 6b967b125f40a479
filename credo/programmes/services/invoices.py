"""Invoices: numbered per provider without gaps or repeats, amounts fixed when issued; payments recorded by staff."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credo.audit.services import record_event
from credo.programmes.models import Enrolment, Invoice, InvoiceCounter, InvoiceState
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


def mark_paid(invoice: Invoice, *, actor: Any, paid_on: datetime.date, reference: str = "") -> Invoice:
    """Record the payment of an issued invoice (call inside a transaction; see ``enrolments.record_payment``)."""
    invoice = Invoice.objects.select_for_update().select_related("enrolment__cohort").get(pk=invoice.pk)
    if invoice.state != InvoiceState.ISSUED:
        raise ValidationError(f"Invoice {invoice.reference} is {invoice.get_state_display().lower()}.")
    if paid_on > timezone.localdate(timezone.now(), cohort_zone(invoice.enrolment.cohort)):
        raise ValidationError({"paid_on": "A payment cannot be recorded for a day that has not come yet."})
    if paid_on < invoice.issued_on:
        raise ValidationError({"paid_on": f"The invoice was issued on {invoice.issued_on:%-d %B %Y}; check the date."})
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
        details={"number": invoice.number, "paid_on": paid_on, "reference": invoice.payment_reference},
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
