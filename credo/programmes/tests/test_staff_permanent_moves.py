"""Withdraw, defer and lapse cannot be undone: each happens only from a confirmation page that says what it will do
(place, invoices, check-ins, emails) and whose button looks different. A GET, or a POST without the confirmation,
changes nothing, writes no audit event and sends no email."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, InvoiceState, Programme
from credo.programmes.services import cohorts, enrolments, funding

from .builders import AUCKLAND, cohort_2024, nz
from .staff_helpers import audit_count, register


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return register(cohort, applicant)


@pytest.fixture
def admin(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


@pytest.fixture
def next_cohort(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(
        provider_admin,
        programme,
        name="2025 intake",
        slug="2025",
        registration_opens=nz(2025, 1, 15, 9),
        registration_closes=cohorts.end_of_day(datetime.date(2025, 3, 20), AUCKLAND),
        study_starts=datetime.date(2025, 4, 2),
        study_ends=datetime.date(2025, 8, 31),
        submission_deadline=cohorts.end_of_day(datetime.date(2025, 8, 31), AUCKLAND),
        assessment_starts=datetime.date(2025, 9, 1),
        assessment_ends=datetime.date(2025, 10, 31),
    )


def move_url(enrolment: Enrolment, move: str) -> str:
    return f"/programmes/staff/{enrolment.cohort.public_id}/enrolments/{enrolment.pk}/{move}"


def detail(enrolment: Enrolment) -> str:
    return f"/programmes/staff/{enrolment.cohort.public_id}/enrolments/{enrolment.pk}/"


def confirmed_enrolment(enrolment: Enrolment, provider_admin: User) -> Enrolment:
    return enrolments.confirm(enrolment, actor=provider_admin, reason="Invoiced to the council, accepted")


class TestTheConfirmationPage:
    def test_withdrawing_says_what_will_happen_before_anything_does(
        self, admin: Client, enrolment: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        invoice = enrolment.invoices.get()
        before = audit_count()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.get(move_url(enrolment, "withdraw"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Withdraw Aroha Te Whare from" in page
        assert "Aroha Te Whare gives up their place in" in page
        assert f"Unpaid invoice {invoice.reference}: cancelled." in page
        assert "The place is free for someone else to register." in page
        assert "is emailed that you withdrew them, with your reason" in page
        assert "This cannot be undone." in page
        assert 'class="danger">Withdraw Aroha Te Whare</button>' in page
        assert 'name="confirmed" value="yes"' in page
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert audit_count() == before
        assert mail.outbox == []

    @pytest.mark.usefixtures("during_2024_intake")
    @pytest.mark.parametrize("move", ["withdraw", "lapse", "defer"])
    def test_a_post_without_the_confirmation_changes_nothing_and_sends_nothing(
        self,
        move: str,
        admin: Client,
        enrolment: Enrolment,
        provider_admin: User,
        next_cohort: Cohort,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        enrolment = confirmed_enrolment(enrolment, provider_admin)  # every one of the three moves is allowed
        data: dict[str, object] = {"reason": "Changed jobs"}
        if move == "defer":
            data["to"] = next_cohort.pk
        before = audit_count()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(move_url(enrolment, move), data)
        assert response.status_code == 200
        assert "What will happen" in response.content.decode()
        assert "Changed jobs" in response.content.decode()  # what was typed is kept for the confirmation
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.CONFIRMED
        assert enrolment.invoices.filter(state=InvoiceState.CANCELLED).count() == 0
        assert audit_count() == before
        assert mail.outbox == []

    def test_the_confirmed_withdrawal_happens_and_is_emailed(
        self, admin: Client, enrolment: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(move_url(enrolment, "withdraw"), {"reason": "Changed jobs", "confirmed": "yes"})
        assert response.status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.WITHDRAWN
        assert any(message.to == ["aroha@example.org"] for message in mail.outbox)

    @pytest.mark.usefixtures("during_2024_intake")
    def test_a_deferral_names_the_cohort_chosen_and_what_happens_to_the_fee(
        self, admin: Client, enrolment: Enrolment, next_cohort: Cohort
    ) -> None:
        page = admin.post(move_url(enrolment, "defer"), {"to": next_cohort.pk, "reason": "Busy"}).content.decode()
        assert f"moves to {next_cohort}" in page
        assert "A new invoice for the other cohort is issued and emailed to them." in page
        assert 'class="danger">Defer Aroha Te Whare</button>' in page

    def test_the_place_offered_to_the_waiting_list_is_said(
        self, admin: Client, cohort: Cohort, enrolment: Enrolment
    ) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
        waiting = register(cohort, UserFactory(email="waiting@example.org"))
        assert waiting.state == EnrolmentState.WAITLISTED
        page = admin.get(move_url(enrolment, "withdraw")).content.decode()
        assert "The place is offered to the first of the 1 people waiting, who is invoiced and emailed." in page

    def test_a_missing_reason_is_shown_on_the_confirmation_page_as_an_error(
        self, admin: Client, enrolment: Enrolment
    ) -> None:
        response = admin.post(move_url(enrolment, "withdraw"), {"reason": "", "confirmed": "yes"})
        page = response.content.decode()
        assert response.status_code == 422
        assert "<title>Error: " in page
        assert 'href="#id_reason"' in page
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED

    def test_a_move_the_state_no_longer_allows_sends_back_to_the_enrolment(
        self, admin: Client, enrolment: Enrolment
    ) -> None:
        response = admin.get(move_url(enrolment, "lapse"))  # applied: it has never been confirmed
        assert response.status_code == 302
        assert response["Location"] == detail(enrolment)

    @pytest.mark.parametrize("move", ["confirm", "activate"])
    def test_forward_moves_have_no_confirmation_page(self, admin: Client, enrolment: Enrolment, move: str) -> None:
        assert admin.get(move_url(enrolment, move)).status_code == 405


class TestTheEnrolmentPage:
    def test_permanent_moves_look_different_and_say_they_cannot_be_undone(
        self, admin: Client, enrolment: Enrolment
    ) -> None:
        page = admin.get(detail(enrolment)).content.decode()
        assert 'class="danger">Withdraw…</button>' in page
        assert 'class="danger">Defer…</button>' in page
        assert '<button type="submit">Confirm</button>' in page  # a step forward needs no warning
        assert "This cannot be undone. The next page says what will happen" in page

    def test_each_form_on_the_page_has_its_own_ids(self, admin: Client, enrolment: Enrolment) -> None:
        ids = re.findall(r'\sid="([^"]+)"', admin.get(detail(enrolment)).content.decode())
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        assert {"confirm_reason", "withdraw_reason", "defer_reason", "defer_to"} <= set(ids)


class TestSupportDecisionsAskFirst:
    """A decision on a request for support is sent once and for all (an approved reduced fee cancels the invoice)."""

    @pytest.fixture
    def support(self, enrolment: Enrolment) -> Any:
        return funding.request_support(
            enrolment, actor=enrolment.learner, kind="reduced_fee", explanation="Our trust has no training budget."
        )

    def url(self, enrolment: Enrolment, support: Any) -> str:
        return f"/programmes/staff/{enrolment.cohort.public_id}/support/{support.pk}/decide"

    def test_approving_a_reduced_fee_says_the_invoice_is_replaced_and_changes_nothing_yet(
        self, admin: Client, enrolment: Enrolment, support: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        invoice = enrolment.invoices.get()
        data = {"decision": "approve", "note": "Approved by the board", "reduced_amount": "300"}
        before = audit_count()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(self.url(enrolment, support), data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Approve Aroha Te Whare&#x27;s request for a reduced fee?" in page
        assert f"Unpaid invoice {invoice.reference}: cancelled." in page
        assert "A new invoice for NZD 300.00 before GST is issued and emailed to Aroha Te Whare." in page
        assert 'class="danger">Approve and tell Aroha Te Whare</button>' in page
        support.refresh_from_db()
        assert support.decision == "pending"
        assert enrolment.invoices.get().state == InvoiceState.ISSUED
        assert (audit_count(), mail.outbox) == (before, [])

        response = admin.post(self.url(enrolment, support), {**data, "confirmed": "yes"})
        assert response.status_code == 302
        support.refresh_from_db()
        assert support.decision == "approved"

    def test_a_decision_is_refused_its_confirmation_page_when_something_is_missing(
        self, admin: Client, enrolment: Enrolment, support: Any
    ) -> None:
        response = admin.post(self.url(enrolment, support), {"decision": "approve", "note": "Yes"})
        assert response.status_code == 422
        assert "Give the reduced fee, before tax." in response.content.decode()


class TestAPaymentIsCheckedFirst:
    def test_the_day_and_what_follows_are_shown_and_nothing_is_recorded_until_confirmed(
        self, admin: Client, enrolment: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        invoice = enrolment.invoices.get()
        url = f"/programmes/staff/{enrolment.cohort.public_id}/invoices/{invoice.pk}/payment"
        before = audit_count()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(url, {"paid_on": "2024-02-05", "reference": "DC-1"})
        page = response.content.decode()
        assert response.status_code == 200
        assert f"Invoice {invoice.reference} (NZD 746.35) is marked paid on 5 February 2024" in page
        assert "Aroha Te Whare&#x27;s place is confirmed, and they are emailed to say so." in page
        assert 'name="paid_on" value="2024-02-05"' in page
        invoice.refresh_from_db()
        assert invoice.state == InvoiceState.ISSUED
        assert (audit_count(), mail.outbox) == (before, [])
        confirmed = admin.post(url, {"paid_on": "2024-02-05", "reference": "DC-1", "confirmed": "yes"})
        assert confirmed.status_code == 302
        invoice.refresh_from_db()
        assert (invoice.state, invoice.payment_reference) == (InvoiceState.PAID, "DC-1")
