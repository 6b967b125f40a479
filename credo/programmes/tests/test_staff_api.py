"""The enrolment and invoice endpoints for programme admins: reading, payments, moves, decisions; others refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    InvoiceState,
    Programme,
    SupportDecision,
)
from credo.programmes.services import funding

from .builders import cohort_2024
from .staff_helpers import REFUSED, audit_count, refused_user, register

API = "/api/v1/programmes"


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return register(cohort, applicant)


@pytest.fixture
def support_request(enrolment: Enrolment) -> FundingRequest:
    return funding.request_support(
        enrolment, actor=enrolment.learner, kind="payment_plan", explanation="Monthly would work for us."
    )


@pytest.fixture
def admin(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def base(cohort: Cohort) -> str:
    return f"{API}/cohorts/{cohort.public_id}"


class TestReading:
    def test_the_list_and_the_detail(
        self, admin: Client, enrolment: Enrolment, support_request: FundingRequest
    ) -> None:
        listed = admin.get(f"{base(enrolment.cohort)}/enrolments").json()
        assert [(row["learner_email"], row["state"], row["fee_tier"]) for row in listed] == [
            ("aroha@example.org", "applied", "government")
        ]
        assert listed[0]["state_label"] == "Registered, not yet paid"  # the code for programs, words for people
        assert admin.get(f"{base(enrolment.cohort)}/enrolments?state=active").json() == []
        unknown = admin.get(f"{base(enrolment.cohort)}/enrolments?state=happy")
        assert (unknown.status_code, unknown.json()["problems"][0]) == (
            422,
            "state: Use one of: " + ", ".join(EnrolmentState.values) + ".",
        )
        detail = admin.get(f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}").json()
        assert detail["invoices"][0]["total"] == "746.35"
        assert detail["support_requests"][0]["kind"] == "payment_plan"

    def test_invoices(self, admin: Client, enrolment: Enrolment) -> None:
        invoice = enrolment.invoices.get()
        (listed,) = admin.get(f"{base(enrolment.cohort)}/invoices").json()
        assert listed["reference"] == invoice.reference
        assert admin.get(f"{base(enrolment.cohort)}/invoices?state=paid").json() == []
        assert admin.get(f"{base(enrolment.cohort)}/invoices?state=lost").status_code == 422
        one = admin.get(f"{base(enrolment.cohort)}/invoices/{invoice.pk}").json()
        assert (one["amount_excluding_tax"], one["tax_amount"], one["state"]) == ("649.00", "97.35", "issued")

    def test_an_enrolment_of_another_cohort_is_not_found(
        self, admin: Client, enrolment: Enrolment, provider_admin: User, programme: Programme
    ) -> None:
        other = cohort_2024(provider_admin, programme, name="Second", slug="second")
        assert admin.get(f"{base(other)}/enrolments/{enrolment.pk}").status_code == 404
        assert admin.get(f"{base(other)}/invoices/{enrolment.invoices.get().pk}").status_code == 404

    def test_the_endpoints_are_in_the_openapi_document(self, client_for: Callable[[User | None], Client]) -> None:
        paths = client_for(None).get("/api/v1/openapi.json").json()["paths"]
        assert f"{API}/cohorts/{{public_id}}/invoices/{{invoice_id}}/payment" in paths
        assert f"{API}/cohorts/{{public_id}}/enrolments/{{enrolment_id}}/{{move}}" in paths


class TestWriting:
    def test_recording_a_payment_confirms_the_enrolment(self, admin: Client, enrolment: Enrolment) -> None:
        invoice = enrolment.invoices.get()
        response = post(admin, f"{base(enrolment.cohort)}/invoices/{invoice.pk}/payment", {"paid_on": "2024-02-05"})
        assert response.status_code == 200
        assert response.json()["state"] == "paid"
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.CONFIRMED

    def test_a_payment_before_the_invoice_is_a_422_saying_what_to_fix(
        self, admin: Client, enrolment: Enrolment
    ) -> None:
        invoice = enrolment.invoices.get()
        response = post(admin, f"{base(enrolment.cohort)}/invoices/{invoice.pk}/payment", {"paid_on": "2020-01-01"})
        assert response.status_code == 422
        assert response.json()["problems"][0].startswith("paid_on: The invoice was issued on")

    def test_moves(self, admin: Client, enrolment: Enrolment) -> None:
        url = f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}"
        assert post(admin, f"{url}/confirm", {"reason": "Council order number 44"}).json()["state"] == "confirmed"
        assert post(admin, f"{url}/activate", {}).json()["state"] == "active"
        assert post(admin, f"{url}/withdraw", {"reason": "Left the sector"}).json()["state"] == "withdrawn"

    @pytest.mark.usefixtures("during_2024_intake")
    def test_deferring_needs_a_cohort_of_the_same_programme(
        self, admin: Client, enrolment: Enrolment, provider_admin: User, programme: Programme
    ) -> None:
        url = f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}/defer"
        missing = post(admin, url, {"reason": "Busy"})
        assert (missing.status_code, missing.json()["problems"]) == (
            422,
            ["to: Give the public id of the cohort to defer to."],
        )
        other = cohort_2024(provider_admin, programme, name="Second", slug="second")
        moved = post(admin, url, {"reason": "Busy", "to": str(other.public_id)})
        assert moved.status_code == 200
        assert moved.json()["state"] == "deferred"
        assert Enrolment.objects.get(cohort=other).learner == enrolment.learner

    @pytest.mark.parametrize(("move", "problem"), [("confirm", "reason: Say why"), ("lapse", "reason: Say why")])
    def test_a_move_without_a_reason_is_refused(
        self, admin: Client, enrolment: Enrolment, move: str, problem: str
    ) -> None:
        response = post(admin, f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}/{move}", {})
        assert response.status_code == 422
        assert response.json()["problems"][0].startswith(problem)

    def test_a_move_the_state_does_not_allow_is_refused(self, admin: Client, enrolment: Enrolment) -> None:
        response = post(admin, f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}/activate", {})
        assert response.status_code == 422
        assert response.json()["detail"] == "This enrolment is registered, not yet paid; it cannot become studying."

    def test_deciding_a_payment_plan(
        self, admin: Client, enrolment: Enrolment, support_request: FundingRequest
    ) -> None:
        url = f"{base(enrolment.cohort)}/support-requests/{support_request.pk}/decision"
        assert post(admin, url, {"decision": "approve", "note": "Yes"}).status_code == 422  # no instalments given
        response = post(admin, url, {"decision": "approve", "note": "Three instalments", "instalments": 3})
        assert response.status_code == 200
        assert (response.json()["decision"], response.json()["instalments"]) == ("approved", 3)


def reads(enrolment: Enrolment) -> list[str]:
    url = base(enrolment.cohort)
    return [
        f"{url}/enrolments",
        f"{url}/enrolments/{enrolment.pk}",
        f"{url}/invoices",
        f"{url}/invoices/{enrolment.invoices.get().pk}",
    ]


def writes(enrolment: Enrolment, support: FundingRequest) -> list[tuple[str, dict[str, Any]]]:
    url = base(enrolment.cohort)
    return [
        (f"{url}/invoices/{enrolment.invoices.get().pk}/payment", {"paid_on": "2024-02-05"}),
        (f"{url}/enrolments/{enrolment.pk}/confirm", {"reason": "Paid"}),
        (f"{url}/enrolments/{enrolment.pk}/withdraw", {"reason": "Gone"}),
        (f"{url}/support-requests/{support.pk}/decision", {"decision": "decline", "note": "No"}),
    ]


class TestWhoMay:
    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_everyone_else_is_refused_and_nothing_changes(
        self,
        who: str,
        status: int,
        enrolment: Enrolment,
        support_request: FundingRequest,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused_user(who, enrolment.cohort, request))
        for url in reads(enrolment):
            assert client.get(url).status_code == status, url
        before = audit_count()
        for url, data in writes(enrolment, support_request):
            assert post(client, url, data).status_code == status, url
        assert audit_count() == before
        enrolment.refresh_from_db()
        support_request.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert enrolment.invoices.get().state == InvoiceState.ISSUED
        assert support_request.decision == SupportDecision.PENDING

    def test_anonymous_callers_get_401_and_nothing_changes(
        self, enrolment: Enrolment, support_request: FundingRequest, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(None)
        for url in reads(enrolment):
            assert client.get(url).status_code == 401, url
        before = audit_count()
        for url, data in writes(enrolment, support_request):
            assert post(client, url, data).status_code == 401, url
        assert audit_count() == before
        assert Enrolment.objects.get().state == EnrolmentState.APPLIED

    def test_writes_need_a_csrf_token(self, enrolment: Enrolment, provider_admin: User) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(provider_admin)
        url = f"{base(enrolment.cohort)}/enrolments/{enrolment.pk}/confirm"
        assert post(client, url, {"reason": "Paid"}).status_code == 403
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
