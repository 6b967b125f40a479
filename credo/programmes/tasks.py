"""Background work for programmes: reminders before 1:1 check-ins and workshops, invoices emailed with their PDF."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import TaskContext, task

from credo.core.tasks import send_once
from credo.programmes.documents.invoice import invoice_pdf
from credo.programmes.models import Invoice
from credo.programmes.services import checkins, invoices, waiting_list, workshops


@task()
def send_check_in_reminders(*, now: str | None = None) -> int:
    """Email learner and facilitator about each booking starting within 24 hours, once; safe to run often.

    ``now`` (ISO 8601, for tests and catch-up runs) is a string because task arguments must be JSON.
    """
    return checkins.send_reminders(now=datetime.datetime.fromisoformat(now) if now else None)


@task()
def send_workshop_reminders(*, now: str | None = None) -> int:
    """Email each learner holding a place about a workshop starting within 24 hours, once a session; safe to run often.

    ``now`` is ISO 8601, as for ``send_check_in_reminders``.
    """
    return workshops.send_reminders(now=datetime.datetime.fromisoformat(now) if now else None)


@task(takes_context=True)
def send_invoice_email(context: TaskContext, *, invoice_id: int, subject: str, body: str, to: list[str]) -> int:
    """Send one email with the invoice PDF attached (``Invoice-<reference>.pdf``); queued by ``invoices.email_invoice``.

    The PDF is rendered here, in the worker, from the invoice as stored: its amounts were fixed when it was issued.
    Replies go to the provider's billing address when it has one.
    """
    invoice = Invoice.objects.select_related("provider").get(pk=invoice_id)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        reply_to=[invoice.supplier_email] if invoice.supplier_email else None,
    )
    message.attach(f"Invoice-{invoice.reference}.pdf", invoice_pdf(invoice), "application/pdf")
    return send_once(context, message)  # once, though the task runs again after its worker died


@task()
def send_invoice_due_reminders(*, now: str | None = None) -> int:
    """Remind learners of unpaid invoices due within three days or overdue, once each; safe to run often.

    ``now`` (ISO 8601) is a string because task arguments must be JSON.
    """
    return invoices.send_due_reminders(now=datetime.datetime.fromisoformat(now) if now else None)


@task()
def close_waiting_lists(*, now: str | None = None) -> int:
    """Withdraw, kindly and by email, the people still waiting for a place once their cohort's study has started;
    safe to run often (a cohort with nobody waiting is not touched).

    ``now`` (ISO 8601) is a string because task arguments must be JSON.
    """
    return waiting_list.close_waiting_lists(now=datetime.datetime.fromisoformat(now) if now else None)
