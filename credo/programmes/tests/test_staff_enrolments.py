"""Enrolment pages for programme admins: list, detail, payments, lifecycle moves, support decisions, extensions.

Every page and every POST refuses anyone who is not one of the cohort's provider's programme admins, and a refused
POST changes nothing and writes no audit event.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    InvoiceState,
    Programme,
    SupportDecision,
)
from credo.programmes.services import cohorts, funding

from .builders import AUCKLAND, cohort_2024, nz
from .staff_helpers import PAID_ON, REFUSED, audit_count, refused_user, register, register_many


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return register(cohort, applicant)


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


@pytest.fixture
def support_request(enrolment: Enrolment) -> FundingRequest:
    return funding.request_support(
        enrolment, actor=enrolment.learner, kind="reduced_fee", explanation="Our trust has no training budget."
    )


def base(cohort: Cohort) -> str:
    return f"/programmes/staff/{cohort.public_id}"


def detail(enrolment: Enrolment) -> str:
    return f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}/"


@pytest.fixture
def admin(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


class TestPages:
    def test_the_list_shows_every_enrolment_and_filters_by_status(self, admin: Client, enrolment: Enrolment) -> None:
        page = admin.get(f"{base(enrolment.cohort)}/enrolments/").content.decode()
        assert "Aroha Te Whare" in page
        filtered = admin.get(f"{base(enrolment.cohort)}/enrolments/?state=confirmed").content.decode()
        assert "Aroha Te Whare" not in filtered
        assert "No enrolments with this status" in filtered

    def test_the_list_takes_the_same_number_of_queries_for_2_and_20_learners(
        self, admin: Client, cohort: Cohort
    ) -> None:
        url = f"{base(cohort)}/enrolments/"
        register_many(cohort, 2)
        with CaptureQueriesContext(connection) as few:
            admin.get(url)
        register_many(cohort, 18, start=100)
        with CaptureQueriesContext(connection) as many:
            response = admin.get(url)
        assert response.content.decode().count("/enrolments/") >= 20
        assert len(many) == len(few)

    def test_the_detail_shows_invoices_support_requests_and_the_moves_the_state_allows(
        self, admin: Client, enrolment: Enrolment, support_request: FundingRequest
    ) -> None:
        response = admin.get(detail(enrolment))
        page = response.content.decode()
        assert response.status_code == 200
        assert f"Invoice {enrolment.invoices.get().reference}" in page
        assert "Record payment" in page
        assert "Our trust has no training budget." in page
        assert response.context["can"] == {
            "confirmed": True,
            "active": False,
            "withdrawn": True,
            "deferred": True,
            "lapsed": False,  # applied: it has never been confirmed, so it can be withdrawn but not lapse
        }

    def test_an_enrolment_of_another_cohort_is_not_found_under_this_one(
        self, admin: Client, enrolment: Enrolment, next_cohort: Cohort
    ) -> None:
        assert admin.get(f"{base(next_cohort)}/enrolments/{enrolment.pk}/").status_code == 404


class TestPayments:
    def test_recording_a_payment_marks_the_invoice_paid_and_confirms_the_place(
        self, admin: Client, enrolment: Enrolment
    ) -> None:
        invoice = enrolment.invoices.get()
        response = admin.post(
            f"{base(enrolment.cohort)}/invoices/{invoice.pk}/payment",
            {"paid_on": "2024-02-05", "reference": "DC-1", "confirmed": "yes"},
        )
        assert response.status_code == 302
        invoice.refresh_from_db()
        enrolment.refresh_from_db()
        assert (invoice.state, invoice.paid_on, invoice.payment_reference) == (InvoiceState.PAID, PAID_ON, "DC-1")
        assert enrolment.state == EnrolmentState.CONFIRMED

    @pytest.mark.parametrize(
        ("paid_on", "problem"),
        [("", "This field is required."), ("2024-01-01", "The invoice was issued on"), ("2999-01-01", "not come yet")],
    )
    def test_a_bad_date_is_refused_with_what_to_fix(
        self, admin: Client, enrolment: Enrolment, paid_on: str, problem: str
    ) -> None:
        invoice = enrolment.invoices.get()
        response = admin.post(f"{base(enrolment.cohort)}/invoices/{invoice.pk}/payment", {"paid_on": paid_on})
        assert response.status_code == 422
        assert problem in response.content.decode()
        invoice.refresh_from_db()
        assert invoice.state == InvoiceState.ISSUED


class TestLifecycle:
    def test_confirm_activate_and_lapse(self, admin: Client, enrolment: Enrolment, provider_admin: User) -> None:
        url = detail(enrolment)
        assert admin.post(f"{url}confirm", {"reason": "Invoiced to the council, accepted"}).status_code == 302
        assert admin.post(f"{url}activate").status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.ACTIVE
        confirmed = {"reason": "No submission by the deadline", "confirmed": "yes"}
        assert admin.post(f"{url}lapse", confirmed).status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.LAPSED
        actions = list(AuditEvent.objects.filter(actor=provider_admin).values_list("action", flat=True))
        assert actions[-3:] == [
            "programmes.enrolment_confirmed",
            "programmes.enrolment_active",
            "programmes.enrolment_lapsed",
        ]

    def test_withdrawing_cancels_the_unpaid_invoice(self, admin: Client, enrolment: Enrolment) -> None:
        response = admin.post(f"{detail(enrolment)}withdraw", {"reason": "Changed jobs", "confirmed": "yes"})
        assert response.status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.WITHDRAWN
        assert enrolment.invoices.get().state == InvoiceState.CANCELLED

    @pytest.mark.usefixtures("during_2024_intake")
    def test_deferring_moves_the_learner_to_the_other_cohort(
        self, admin: Client, enrolment: Enrolment, next_cohort: Cohort
    ) -> None:
        confirmed = {"to": next_cohort.pk, "reason": "Busy this year", "confirmed": "yes"}
        response = admin.post(f"{detail(enrolment)}defer", confirmed)
        assert response.status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.DEFERRED
        assert enrolment.deferred_to is not None
        assert enrolment.deferred_to.cohort == next_cohort

    def test_a_cohort_of_another_programme_is_not_offered_for_deferral(
        self, admin: Client, enrolment: Enrolment
    ) -> None:
        response = admin.post(f"{detail(enrolment)}defer", {"to": enrolment.cohort.pk, "reason": "Busy"})
        assert response.status_code == 422
        assert "Select a valid choice" in response.content.decode()

    # Lapse is not allowed from applied at all: see test_staff_permanent_moves.
    @pytest.mark.parametrize(("move", "data"), [("confirm", {}), ("withdraw", {"reason": " "})])
    def test_a_move_without_a_reason_is_refused(
        self, admin: Client, enrolment: Enrolment, move: str, data: dict[str, str]
    ) -> None:
        before = audit_count()
        response = admin.post(f"{detail(enrolment)}{move}", data)
        assert response.status_code == 422
        assert "There is a problem" in response.content.decode()
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert audit_count() == before

    def test_a_move_the_state_does_not_allow_says_why(self, admin: Client, enrolment: Enrolment) -> None:
        response = admin.post(f"{detail(enrolment)}activate")
        assert response.status_code == 422
        assert "This enrolment is registered, not yet paid; it cannot become studying." in response.content.decode()

    def test_an_unknown_move_is_not_found(self, admin: Client, enrolment: Enrolment) -> None:
        assert admin.post(f"{detail(enrolment)}graduate").status_code == 404


class TestSupportDecisions:
    def test_approving_a_reduced_fee_replaces_the_invoice(
        self, admin: Client, enrolment: Enrolment, support_request: FundingRequest
    ) -> None:
        response = admin.post(
            f"{base(enrolment.cohort)}/support/{support_request.pk}/decide",
            {"decision": "approve", "note": "Approved by the board", "reduced_amount": "300.00", "confirmed": "yes"},
        )
        assert response.status_code == 302
        support_request.refresh_from_db()
        assert (support_request.decision, support_request.reduced_amount) == (SupportDecision.APPROVED, Decimal("300"))
        live = enrolment.invoices.get(state=InvoiceState.ISSUED)
        assert live.amount_excluding_tax == Decimal("300.00")

    def test_approving_a_reduced_fee_needs_the_amount(
        self, admin: Client, enrolment: Enrolment, support_request: FundingRequest
    ) -> None:
        response = admin.post(
            f"{base(enrolment.cohort)}/support/{support_request.pk}/decide", {"decision": "approve", "note": "Yes"}
        )
        assert response.status_code == 422
        assert "Give the reduced fee, before tax." in response.content.decode()
        support_request.refresh_from_db()
        assert support_request.decision == SupportDecision.PENDING


class TestExtendingRegistration:
    def test_the_new_closing_date_is_the_end_of_that_day_in_the_cohorts_zone(
        self, admin: Client, cohort: Cohort
    ) -> None:
        response = admin.post(
            f"{base(cohort)}/registration/extend", {"new_closing_day": "2024-03-27", "reason": "More time for councils"}
        )
        assert response.status_code == 302
        cohort.refresh_from_db()
        assert cohort.registration_closes == datetime.datetime(2024, 3, 27, 10, 59, 59, tzinfo=datetime.UTC)
        assert (
            cohorts.extension_announcement(cohort, nz(2024, 3, 21))
            == "Registrations extended! Closing Wednesday 27th March."
        )

    def test_an_earlier_date_is_refused_with_the_current_one(self, admin: Client, cohort: Cohort) -> None:
        response = admin.post(
            f"{base(cohort)}/registration/extend", {"new_closing_day": "2024-03-19", "reason": "Oops"}
        )
        assert response.status_code == 422
        assert "It must be after the current closing date, Wednesday 20 March 2024" in response.content.decode()
        assert not cohort.extensions.exists()


def pages(enrolment: Enrolment) -> list[str]:
    cohort_url = base(enrolment.cohort)
    return [
        f"{cohort_url}/enrolments/",
        detail(enrolment),
        f"{cohort_url}/registration/extend",
        f"{detail(enrolment)}withdraw",  # the confirmation pages of the permanent moves the state allows
        f"{detail(enrolment)}defer",
    ]


def posts(enrolment: Enrolment, support: FundingRequest, next_cohort: Cohort) -> list[tuple[str, dict[str, object]]]:
    cohort_url = base(enrolment.cohort)
    invoice = enrolment.invoices.get()
    return [
        (f"{cohort_url}/invoices/{invoice.pk}/payment", {"paid_on": "2024-02-05", "confirmed": "yes"}),
        (f"{detail(enrolment)}confirm", {"reason": "Paid by cheque"}),
        (f"{detail(enrolment)}withdraw", {"reason": "Changed jobs", "confirmed": "yes"}),
        (f"{detail(enrolment)}defer", {"to": next_cohort.pk, "reason": "Busy", "confirmed": "yes"}),
        (f"{cohort_url}/support/{support.pk}/decide", {"decision": "decline", "note": "No", "confirmed": "yes"}),
        (f"{cohort_url}/registration/extend", {"new_closing_day": "2024-03-27", "reason": "More time"}),
    ]


class TestWhoMay:
    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_everyone_else_is_refused_every_page_and_every_post_and_nothing_changes(
        self,
        who: str,
        status: int,
        enrolment: Enrolment,
        support_request: FundingRequest,
        next_cohort: Cohort,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused_user(who, enrolment.cohort, request))
        for url in pages(enrolment):
            assert client.get(url).status_code == status, url
        before = audit_count()
        for url, data in posts(enrolment, support_request, next_cohort):
            assert client.post(url, data).status_code == status, url
        assert audit_count() == before
        enrolment.refresh_from_db()
        support_request.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert enrolment.invoices.get().state == InvoiceState.ISSUED
        assert support_request.decision == SupportDecision.PENDING
        assert not enrolment.cohort.extensions.exists()

    def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_changes(
        self,
        enrolment: Enrolment,
        support_request: FundingRequest,
        next_cohort: Cohort,
        client_for: Callable[[User | None], Client],
    ) -> None:
        client = client_for(None)
        before = audit_count()
        requests = [(url, None) for url in pages(enrolment)] + posts(enrolment, support_request, next_cohort)
        for url, data in requests:
            response = client.get(url) if data is None else client.post(url, data)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"], url
        assert audit_count() == before
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED

    def test_the_providers_programme_admin_sees_every_page(self, admin: Client, enrolment: Enrolment) -> None:
        for url in pages(enrolment):
            assert admin.get(url).status_code == 200, url
