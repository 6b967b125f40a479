"""The invoice travels by email: attached to the registration confirmation, and to a reminder when it falls due
(within three days) and again when it is overdue; each reminder once, whoever runs the job and however often."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import UserFactory
from credo.credentials.tests.test_presentation import _pdf_text
from credo.programmes import tasks
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, Invoice, Programme
from credo.programmes.services import enrolments, invoices

from .builders import cohort_2024, nz
from .staff_helpers import PAID_ON, register
from .test_invoices_pdf import inflated, set_billing


@pytest.fixture
def registered(provider: Organisation, provider_admin: User) -> None:
    set_billing(provider, provider_admin)


def attachment(message: Any) -> tuple[str, bytes, str]:
    assert isinstance(message, EmailMessage)
    (attached,) = message.attachments
    name, content, mimetype = attached
    assert isinstance(content, bytes)
    return name, content, mimetype


class TestTheRegistrationEmail:
    def test_it_carries_the_invoice_pdf_and_tells_the_total_due_date_and_how_to_pay(
        self, registered: None, cohort: Cohort, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            invoice = register(cohort, applicant).invoices.get()

        (message,) = mail.outbox
        assert message.to == ["aroha@example.org"]
        assert message.subject == f"You are registered for {cohort}"
        assert message.reply_to == ["accounts@inspiring-test.example"]
        assert "total NZD 746.35, due 21 February 2024" in message.body
        assert "The invoice is attached" in message.body
        assert "Account 00-1234-0123456-00" in message.body
        assert f"Quote reference {invoice.reference} when you pay." in message.body
        name, content, mimetype = attachment(message)
        assert (name, mimetype) == (f"Invoice-{invoice.reference}.pdf", "application/pdf")
        assert content.startswith(b"%PDF-")
        text = _pdf_text(inflated(content))
        assert f"Tax invoice {invoice.reference}" in text
        assert "NZD 746.35" in text

    def test_nothing_is_sent_unless_the_registration_commits(
        self, cohort: Cohort, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            register(cohort, applicant)

        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_without_billing_details_the_invoice_still_goes_with_it(
        self, cohort: Cohort, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            invoice = register(cohort, applicant).invoices.get()

        (message,) = mail.outbox
        assert message.reply_to == []
        assert "How to pay" not in message.body
        assert f"Quote reference {invoice.reference} when you pay." in message.body
        assert f"Invoice {invoice.reference}" in _pdf_text(inflated(attachment(message)[1]))

    def test_the_task_renders_the_invoice_as_it_is_when_it_runs(
        self, registered: None, cohort: Cohort, applicant: User, provider_admin: User
    ) -> None:
        invoice = register(cohort, applicant).invoices.get()
        enrolments.record_payment(invoice, actor=provider_admin, paid_on=PAID_ON)
        mail.outbox.clear()

        sent = tasks.send_invoice_email.enqueue(
            invoice_id=invoice.pk, subject="Receipt", body="Paid.", to=["a@b.nz"]
        ).return_value

        assert sent == 1
        (message,) = mail.outbox
        assert "Paid 5 February 2024" in _pdf_text(inflated(attachment(message)[1]))


# Reminders --------------------------------------------------------------------------------------------------

#: Issued 1 February 2024 (Auckland), due 21 February: the 2024 cohort's 20 days' terms.
DUE = datetime.date(2024, 2, 21)


@pytest.fixture
def invoice(registered: None, cohort: Cohort, applicant: User) -> Invoice:
    invoice = register(cohort, applicant).invoices.get()
    assert invoice.due_on == DUE
    mail.outbox.clear()
    return invoice


def remind(now: datetime.datetime, callbacks: Any) -> int:
    with callbacks(execute=True):
        return invoices.send_due_reminders(now=now)


class TestDueReminders:
    def test_none_is_sent_more_than_three_days_before_the_due_date(
        self, invoice: Invoice, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert remind(nz(2024, 2, 17, 23, 59), django_capture_on_commit_callbacks) == 0
        assert mail.outbox == []

    def test_three_days_before_it_is_due_the_learner_is_reminded_once_with_the_invoice(
        self, invoice: Invoice, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert remind(nz(2024, 2, 18, 9), django_capture_on_commit_callbacks) == 1
        assert remind(nz(2024, 2, 18, 17), django_capture_on_commit_callbacks) == 0
        assert remind(nz(2024, 2, 21, 9), django_capture_on_commit_callbacks) == 0

        (message,) = mail.outbox
        assert message.to == ["aroha@example.org"]
        assert message.subject == f"Invoice {invoice.reference} is due on 21 February 2024"
        assert "total NZD 746.35, is due on 21 February 2024." in message.body
        assert f"Quote reference {invoice.reference}" in message.body
        assert "or write to accounts@inspiring-test.example" in message.body
        assert attachment(message)[0] == f"Invoice-{invoice.reference}.pdf"
        invoice.refresh_from_db()
        assert invoice.reminder_sent_on == datetime.date(2024, 2, 18)

    def test_the_day_is_the_cohorts_own(self, invoice: Invoice, django_capture_on_commit_callbacks: Any) -> None:
        # 00:30 on 18 February in Auckland is still 17 February in UTC (and most of the world).
        assert remind(nz(2024, 2, 18, 0, 30), django_capture_on_commit_callbacks) == 1

    def test_on_the_day_it_says_today(self, invoice: Invoice, django_capture_on_commit_callbacks: Any) -> None:
        remind(nz(2024, 2, 21, 9), django_capture_on_commit_callbacks)

        (message,) = mail.outbox
        assert "is due today." in message.body

    def test_once_overdue_it_is_reminded_again_once_and_says_so(
        self, invoice: Invoice, django_capture_on_commit_callbacks: Any
    ) -> None:
        remind(nz(2024, 2, 19, 9), django_capture_on_commit_callbacks)
        assert remind(nz(2024, 2, 22, 9), django_capture_on_commit_callbacks) == 1
        assert remind(nz(2024, 3, 5, 9), django_capture_on_commit_callbacks) == 0

        due_soon, overdue = mail.outbox
        assert "is due on" in due_soon.subject
        assert overdue.subject == f"Invoice {invoice.reference} is overdue"
        assert "was due on 21 February 2024 and is now overdue." in overdue.body
        invoice.refresh_from_db()
        assert invoice.reminder_sent_on == datetime.date(2024, 2, 22)

    def test_an_invoice_first_noticed_when_overdue_gets_one_overdue_reminder(
        self, invoice: Invoice, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert remind(nz(2024, 3, 1, 9), django_capture_on_commit_callbacks) == 1
        assert remind(nz(2024, 3, 2, 9), django_capture_on_commit_callbacks) == 0

        (message,) = mail.outbox
        assert message.subject.endswith("is overdue")

    def test_the_invoice_address_is_reminded_too_when_it_differs(
        self, invoice: Invoice, django_capture_on_commit_callbacks: Any
    ) -> None:
        Invoice.objects.filter(pk=invoice.pk).update(email="accounts@trust.example")

        remind(nz(2024, 2, 19, 9), django_capture_on_commit_callbacks)

        (message,) = mail.outbox
        assert message.to == ["aroha@example.org", "accounts@trust.example"]

    def test_paid_and_cancelled_invoices_are_not_chased(
        self,
        registered: None,
        cohort: Cohort,
        provider_admin: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        paid = register(cohort, UserFactory(email="paid@example.org")).invoices.get()
        enrolments.record_payment(paid, actor=provider_admin, paid_on=PAID_ON)
        leaver = register(cohort, UserFactory(email="leaver@example.org"))
        enrolments.withdraw(leaver, actor=provider_admin, reason="Changed jobs")
        mail.outbox.clear()

        assert remind(nz(2024, 2, 22, 9), django_capture_on_commit_callbacks) == 0
        assert mail.outbox == []

    @pytest.mark.parametrize("state", [EnrolmentState.WITHDRAWN, EnrolmentState.DEFERRED])
    def test_an_enrolment_that_left_is_not_chased_even_if_its_invoice_was_left_open(
        self, invoice: Invoice, state: str, django_capture_on_commit_callbacks: Any
    ) -> None:
        Enrolment.objects.filter(pk=invoice.enrolment_id).update(state=state)

        assert remind(nz(2024, 2, 22, 9), django_capture_on_commit_callbacks) == 0
        assert mail.outbox == []

    def test_an_invoice_due_within_days_of_issue_is_not_chased_the_day_it_is_issued(
        self,
        registered: None,
        provider_admin: User,
        programme: Programme,
        applicant: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        short_terms = cohort_2024(provider_admin, programme, slug="short", payment_terms_days=2)
        register(short_terms, applicant)
        mail.outbox.clear()

        assert remind(nz(2024, 2, 1, 18), django_capture_on_commit_callbacks) == 0
        assert remind(nz(2024, 2, 2, 9), django_capture_on_commit_callbacks) == 1

    def test_two_workers_at_once_send_one_reminder(
        self, invoice: Invoice, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The second worker runs while the first has read the invoice and decided: the first's claim then fails."""
        decide = invoices.reminder_needed
        results: list[int] = []

        def decide_while_another_worker_runs(found: Invoice, today: datetime.date) -> str | None:
            kind = decide(found, today)
            if not results:
                monkeypatch.setattr(invoices, "reminder_needed", decide)
                results.append(invoices.send_due_reminders(now=nz(2024, 2, 19, 9)))
            return kind

        monkeypatch.setattr(invoices, "reminder_needed", decide_while_another_worker_runs)

        assert remind(nz(2024, 2, 19, 9), django_capture_on_commit_callbacks) == 0
        assert results == [1]
        assert len(mail.outbox) == 1
