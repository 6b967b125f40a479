"""The learner's side of the programmes API: register, follow one's own enrolments, download invoices, ask for
support; everyone else is refused, and the public cohort list costs the same however many cohorts it has."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, Invoice, Programme, SupportMessage
from credo.programmes.services import checkins, cohorts, enrolments, support, workshops

from .builders import cohort_2024, nz
from .checkins_builders import facilitator_of
from .staff_helpers import DURING, register
from .workshops_builders import SEED_WORKSHOPS, details

SignIn = Callable[[User | None], Client]
API = "/api/v1/programmes"
COHORT = f"{API}/public/programmes/inspiring-test/cld-facilitation/cohorts/2024"
FORM = {
    "organisation_name": "Porirua Community Trust",
    "organisation_type": "community",
    "terms_accepted": True,
}


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def during_registration(monkeypatch: pytest.MonkeyPatch) -> datetime.datetime:
    monkeypatch.setattr("django.utils.timezone.now", lambda: DURING)
    return DURING


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return register(cohort, applicant, organisation_name="Porirua Community Trust", organisation_type="community")


@pytest.fixture
def provider_facilitator(cohort: Cohort, provider: Organisation) -> User:
    return facilitator_of(cohort, provider, "tui@inspiring-test.example")


# Registration ----------------------------------------------------------------------------------------------------


class TestRegistration:
    @pytest.mark.usefixtures("during_registration")
    def test_a_signed_in_person_registers_and_is_invoiced_and_emailed(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: SignIn,
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client_for(applicant), f"{COHORT}/registration", {**FORM, "invoice_to_organisation": True})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["state"] == EnrolmentState.APPLIED
        assert body["cohort"]["public_id"] == str(cohort.public_id)
        assert body["fee_tier"] == "community"
        (invoice,) = body["invoices"]
        assert (invoice["addressed_to"], invoice["total"], invoice["state"]) == (
            "Porirua Community Trust",
            "603.75",
            "issued",
        )
        assert invoice["pdf"] == f"{API}/invoices/{invoice['id']}/pdf"
        enrolment = Enrolment.objects.get()
        assert (enrolment.learner, enrolment.invoice_to_organisation) == (applicant, True)
        assert [m.subject for m in mailoutbox] == [f"You are registered for {cohort}"]

    def test_a_late_registration_is_refused_with_the_services_sentence(
        self, cohort: Cohort, applicant: User, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 3, 21, 0, 0, 1))
        response = post(client_for(applicant), f"{COHORT}/registration", FORM)
        assert response.status_code == 422
        assert response.json()["detail"] == (
            "Registration closed Wednesday 20 March 2024, 11:59 PM Pacific/Auckland time; look for the next intake."
        )
        assert not Enrolment.objects.exists()

    @pytest.mark.usefixtures("during_registration")
    def test_every_missing_field_is_named(self, cohort: Cohort, applicant: User, client_for: SignIn) -> None:
        response = post(
            client_for(applicant),
            f"{COHORT}/registration",
            {"organisation_name": " ", "organisation_type": "community"},
        )
        assert response.status_code == 422
        assert response.json()["problems"] == [
            "organisation_name: Give the name of the organisation you work with (or 'self-employed').",
            "terms_accepted: Accept the terms to register.",
        ]
        assert not Enrolment.objects.exists()

    @pytest.mark.usefixtures("during_registration")
    def test_an_unknown_organisation_type_lists_the_known_ones(
        self, cohort: Cohort, applicant: User, client_for: SignIn
    ) -> None:
        response = post(client_for(applicant), f"{COHORT}/registration", {**FORM, "organisation_type": "church"})
        assert response.status_code == 422
        assert response.json()["detail"].startswith(
            "body.payload.organisation_type: Input should be 'local_government'"
        )

    @pytest.mark.usefixtures("during_registration")
    def test_a_second_registration_is_refused(
        self, cohort: Cohort, enrolment: Enrolment, applicant: User, client_for: SignIn
    ) -> None:
        response = post(client_for(applicant), f"{COHORT}/registration", FORM)
        assert response.status_code == 422
        assert response.json()["detail"] == f"You are already registered for {cohort}."
        assert Enrolment.objects.count() == 1

    @pytest.mark.usefixtures("during_registration")
    def test_a_person_without_a_name_gives_one(self, cohort: Cohort, client_for: SignIn) -> None:
        nameless = UserFactory(email="nameless@example.org", full_name="")
        refused = post(client_for(nameless), f"{COHORT}/registration", FORM)
        assert refused.status_code == 422
        assert refused.json()["problems"] == [
            "full_name: Give your full name: it goes on your invoice and, later, your credential."
        ]
        accepted = post(client_for(nameless), f"{COHORT}/registration", {**FORM, "full_name": "Hemi Walker"})
        assert accepted.status_code == 201
        assert accepted.json()["invoices"][0]["addressed_to"] == "Hemi Walker"

    @pytest.mark.usefixtures("during_registration")
    def test_a_full_cohort_puts_the_registrant_on_the_waiting_list_without_an_invoice(
        self, cohort: Cohort, applicant: User, client_for: SignIn
    ) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
        register(cohort, UserFactory(email="first@example.org"))
        response = post(client_for(applicant), f"{COHORT}/registration", FORM)
        assert response.status_code == 201
        assert (response.json()["state"], response.json()["invoices"]) == ("waitlisted", [])

    @pytest.mark.usefixtures("during_registration")
    def test_anonymous_callers_are_refused_and_nothing_is_made(self, cohort: Cohort, client_for: SignIn) -> None:
        response = post(client_for(None), f"{COHORT}/registration", FORM)
        assert response.status_code == 401
        assert not Enrolment.objects.exists()
        assert not AuditEvent.objects.filter(action="programmes.registered").exists()

    @pytest.mark.usefixtures("during_registration")
    def test_someone_from_another_organisation_registers_only_themself(
        self, cohort: Cohort, outsider: User, client_for: SignIn
    ) -> None:
        """Registration is open to anyone with an account: the enrolment is always the caller's own."""
        response = post(client_for(outsider), f"{COHORT}/registration", FORM)
        assert response.status_code == 201
        assert Enrolment.objects.get().learner == outsider

    @pytest.mark.usefixtures("during_registration")
    def test_an_unknown_cohort_is_not_found(self, cohort: Cohort, applicant: User, client_for: SignIn) -> None:
        response = post(client_for(applicant), f"{COHORT}x/registration", FORM)
        assert response.status_code == 404
        assert not Enrolment.objects.exists()


# The learner's own enrolments --------------------------------------------------------------------------------------


class TestOwnEnrolments:
    def test_the_list_holds_only_the_learners_own(
        self, cohort: Cohort, enrolment: Enrolment, applicant: User, client_for: SignIn
    ) -> None:
        register(cohort, UserFactory(email="mere@example.org"))
        rows = client_for(applicant).get(f"{API}/my/enrolments").json()
        listed = [(r["id"], r["state"], r["state_label"]) for r in rows]
        assert listed == [(enrolment.pk, "applied", "Registered, not yet paid")]
        assert rows[0]["cohort"]["url"] == "/programmes/inspiring-test/cld-facilitation/2024/"

    def test_the_detail_has_invoices_check_ins_and_the_next_workshop(
        self,
        cohort: Cohort,
        enrolment: Enrolment,
        applicant: User,
        provider_admin: User,
        provider: Organisation,
        client_for: SignIn,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for number, day, topic in SEED_WORKSHOPS[:2]:
            workshops.add_session(cohort, actor=provider_admin, number=number, details=details(day, topic))
        enrolments.confirm(enrolment, actor=provider_admin, reason="Invoice paid")
        facilitator = facilitator_of(cohort, provider, "tui@inspiring-test.example")
        slot = checkins.publish_slot(
            actor=facilitator, cohort=cohort, starts_at=nz(2024, 4, 10, 12), ends_at=nz(2024, 4, 10, 13), now=DURING
        )
        checkins.book(enrolment=enrolment, slot=slot, actor=applicant, now=DURING)
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 4, 3, 14))  # after the first workshop
        body = client_for(applicant).get(f"{API}/my/enrolments/{enrolment.pk}").json()
        assert body["state"] == "confirmed"
        assert (body["check_ins_allowed"], body["check_ins_used"], body["check_ins_left"]) == (2, 1, 1)
        assert body["next_workshop"]["number"] == 2
        assert body["next_workshop"]["topic"] == SEED_WORKSHOPS[1][2]
        assert body["next_workshop"]["when"] == "Wednesday 22 May, 12:00\u201313:30 NZST"
        assert [i["reference"] for i in body["invoices"]] == [enrolment.invoices.get().reference]
        assert "meeting_url" not in body["next_workshop"]

    @pytest.mark.parametrize("who", ["another learner", "provider admin", "outsider"])
    def test_nobody_else_sees_an_enrolment(
        self, who: str, enrolment: Enrolment, cohort: Cohort, client_for: SignIn, request: pytest.FixtureRequest
    ) -> None:
        user = {
            "another learner": lambda: register(cohort, UserFactory(email="mere@example.org")).learner,
            "provider admin": lambda: request.getfixturevalue("provider_admin"),
            "outsider": lambda: request.getfixturevalue("outsider"),
        }[who]()
        client = client_for(user)
        assert client.get(f"{API}/my/enrolments/{enrolment.pk}").status_code == 404
        assert enrolment.pk not in [row["id"] for row in client.get(f"{API}/my/enrolments").json()]

    def test_anonymous_callers_are_refused(self, enrolment: Enrolment, client_for: SignIn) -> None:
        assert client_for(None).get(f"{API}/my/enrolments").status_code == 401
        assert client_for(None).get(f"{API}/my/enrolments/{enrolment.pk}").status_code == 401


# Invoice PDFs --------------------------------------------------------------------------------------------------


class TestInvoicePdf:
    @pytest.mark.parametrize("who", ["the learner", "provider admin"])
    def test_the_learner_and_the_providers_programme_admins_download_it(
        self, who: str, enrolment: Enrolment, applicant: User, provider_admin: User, client_for: SignIn
    ) -> None:
        invoice = enrolment.invoices.get()
        response = client_for(applicant if who == "the learner" else provider_admin).get(
            f"{API}/invoices/{invoice.pk}/pdf"
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="invoice-{invoice.reference}.pdf"'
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF")

    def test_the_providers_other_staff_are_told_why(
        self, enrolment: Enrolment, provider_facilitator: User, client_for: SignIn
    ) -> None:
        response = client_for(provider_facilitator).get(f"{API}/invoices/{enrolment.invoices.get().pk}/pdf")
        assert response.status_code == 403
        assert response.json() == {"detail": "Only the provider's programme admins see learners' invoices."}

    @pytest.mark.parametrize("who", ["another learner", "outsider", "anonymous"])
    def test_everyone_else_is_refused(
        self, who: str, enrolment: Enrolment, cohort: Cohort, client_for: SignIn, request: pytest.FixtureRequest
    ) -> None:
        user = {
            "another learner": lambda: register(cohort, UserFactory(email="mere@example.org")).learner,
            "outsider": lambda: request.getfixturevalue("outsider"),
            "anonymous": lambda: None,
        }[who]()
        response = client_for(user).get(f"{API}/invoices/{enrolment.invoices.get().pk}/pdf")
        assert response.status_code == (401 if user is None else 404)
        assert not response.content.startswith(b"%PDF")

    def test_an_unknown_invoice_is_not_found(self, enrolment: Enrolment, applicant: User, client_for: SignIn) -> None:
        missing = (Invoice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        assert client_for(applicant).get(f"{API}/invoices/{missing}/pdf").status_code == 404


# The learner's support thread ----------------------------------------------------------------------------------


class TestLearnerSupport:
    def test_the_learner_asks_staff_are_emailed_and_the_thread_reads_back(
        self,
        enrolment: Enrolment,
        applicant: User,
        provider_facilitator: User,
        client_for: SignIn,
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        client = client_for(applicant)
        empty = client.get(f"{API}/my/enrolments/{enrolment.pk}/support-thread").json()
        assert (empty["id"], empty["messages"]) == (None, [])
        with django_capture_on_commit_callbacks(execute=True):
            asked = post(
                client,
                f"{API}/my/enrolments/{enrolment.pk}/support-thread/messages",
                {"body": "  Can my case study be about the Ōtaki hui?  "},
            )
        assert asked.status_code == 201
        (message,) = asked.json()["messages"]
        assert (message["body"], message["from_learner"], message["channel"]) == (
            "Can my case study be about the Ōtaki hui?",
            True,
            "web",
        )
        assert [m.to for m in mailoutbox] == [["tui@inspiring-test.example"]]
        read = client.get(f"{API}/my/enrolments/{enrolment.pk}/support-thread").json()
        assert read == asked.json()

    def test_an_empty_question_is_refused_saying_what_to_fix(
        self, enrolment: Enrolment, applicant: User, client_for: SignIn
    ) -> None:
        response = post(client_for(applicant), f"{API}/my/enrolments/{enrolment.pk}/support-thread/messages", {})
        assert response.status_code == 422
        assert response.json()["detail"] == "body.payload.body: Field required"
        blank = post(
            client_for(applicant), f"{API}/my/enrolments/{enrolment.pk}/support-thread/messages", {"body": " "}
        )
        assert blank.status_code == 422
        assert blank.json()["problems"] == ["body: Write your message before sending it."]
        assert not SupportMessage.objects.exists()

    @pytest.mark.parametrize(
        "who", ["another learner", "provider admin", "cohort facilitator", "outsider", "anonymous"]
    )
    def test_nobody_else_reads_or_writes_the_learners_thread(
        self, who: str, enrolment: Enrolment, applicant: User, cohort: Cohort, client_for: SignIn, request: Any
    ) -> None:
        support.ask(enrolment, actor=applicant, body="Private question")
        user = {
            "another learner": lambda: register(cohort, UserFactory(email="mere@example.org")).learner,
            "provider admin": lambda: request.getfixturevalue("provider_admin"),
            "cohort facilitator": lambda: request.getfixturevalue("provider_facilitator"),
            "outsider": lambda: request.getfixturevalue("outsider"),
            "anonymous": lambda: None,
        }[who]()
        client = client_for(user)
        expected = 401 if user is None else 404
        read = client.get(f"{API}/my/enrolments/{enrolment.pk}/support-thread")
        assert read.status_code == expected
        assert b"Private question" not in read.content
        written = post(client, f"{API}/my/enrolments/{enrolment.pk}/support-thread/messages", {"body": "Hi"})
        assert written.status_code == expected
        assert SupportMessage.objects.count() == 1


# The public cohort list: a fixed number of queries ----------------------------------------------------------------


def _cohorts(admin: User, programme: Programme, count: int) -> None:
    """``count`` cohorts, each with a capacity, a learner holding a place and an extension in force: everything
    that once cost a query per cohort."""
    for n in range(count):
        cohort = cohort_2024(admin, programme, slug=f"intake-{n}", name=f"Intake {n}", capacity=10)
        cohorts.extend_registration(
            cohort,
            actor=admin,
            new_closes=cohorts.end_of_day(datetime.date(2024, 3, 27), "Pacific/Auckland"),
            reason="Late funding decisions",
        )
        register(cohort, UserFactory(email=f"learner-{n}@example.org"))


@pytest.mark.usefixtures("during_registration")
@pytest.mark.parametrize("count", [1, 5])
def test_the_public_cohort_list_costs_the_same_for_1_or_5_cohorts(
    count: int,
    provider_admin: User,
    programme: Programme,
    client: Client,
    django_assert_num_queries: Any,
) -> None:
    _cohorts(provider_admin, programme, count)
    url = f"{API}/public/programmes/inspiring-test/cld-facilitation/cohorts"
    # The programme; its cohorts with places held and their latest extension; their fee tiers.
    with django_assert_num_queries(3):
        rows = client.get(url).json()
    assert len(rows) == count
    assert {(r["places_left"], r["extension_announcement"]) for r in rows} == {
        (9, "Registrations extended! Closing Wednesday 27th March.")
    }


@pytest.mark.usefixtures("during_registration")
def test_the_list_says_what_each_cohort_says_alone(
    provider_admin: User, programme: Programme, cohort: Cohort, client: Client
) -> None:
    """The list works out places and announcements from what it loaded at once; the single-cohort endpoint asks
    the services. They must agree: full, not full, extended, extension overtaken, no extension."""
    _cohorts(provider_admin, programme, 1)
    full = cohort_2024(provider_admin, programme, slug="full", name="Full", capacity=1)
    register(full, UserFactory(email="first@example.org"))
    register(full, UserFactory(email="waiting@example.org"))
    overtaken = cohort_2024(provider_admin, programme, slug="moved", name="Moved")
    cohorts.extend_registration(
        overtaken, actor=provider_admin, new_closes=nz(2024, 3, 25, 12), reason="First extension"
    )
    Cohort.objects.filter(pk=overtaken.pk).update(registration_closes=nz(2024, 3, 26, 12))
    base = f"{API}/public/programmes/inspiring-test/cld-facilitation/cohorts"
    listed = {row["slug"]: row for row in client.get(base).json()}
    assert len(listed) == 4
    for slug, row in listed.items():
        assert row == client.get(f"{base}/{slug}").json(), slug
    assert listed["full"]["places_left"] == 0
    assert listed["moved"]["extension_announcement"] == ""
    assert listed["intake-0"]["extension_announcement"].startswith("Registrations extended!")


def test_a_membership_role_is_not_needed_to_register(
    cohort: Cohort, provider: Organisation, client_for: SignIn, during_registration: datetime.datetime
) -> None:
    """A learner membership at the provider changes nothing: registration is for the person signed in."""
    member = MembershipFactory(
        user=UserFactory(email="member@example.org", full_name="Member"), organisation=provider, role=Role.LEARNER
    ).user
    assert post(client_for(member), f"{COHORT}/registration", FORM).status_code == 201


NEW_OPERATIONS = {
    ("post", "/api/v1/programmes/public/programmes/{provider}/{programme}/cohorts/{cohort}/registration"): "201",
    ("get", "/api/v1/programmes/my/enrolments"): "200",
    ("get", "/api/v1/programmes/my/enrolments/{enrolment_id}"): "200",
    ("get", "/api/v1/programmes/invoices/{invoice_id}/pdf"): "200",
    ("post", "/api/v1/programmes/cohorts/{public_id}/check-in-slots"): "201",
    ("post", "/api/v1/programmes/cohorts/{public_id}/check-in-slots/{slot_id}/withdraw"): "200",
    ("post", "/api/v1/programmes/cohorts/{public_id}/check-in-bookings/{booking_id}/cancel"): "200",
    ("get", "/api/v1/programmes/my/enrolments/{enrolment_id}/support-thread"): "200",
    ("post", "/api/v1/programmes/my/enrolments/{enrolment_id}/support-thread/messages"): "201",
    ("get", "/api/v1/programmes/cohorts/{public_id}/support-threads"): "200",
    ("get", "/api/v1/programmes/cohorts/{public_id}/support-threads/{thread_id}"): "200",
    ("post", "/api/v1/programmes/cohorts/{public_id}/support-threads/{thread_id}/messages"): "201",
}


def test_the_new_operations_are_documented_with_ids_summaries_and_schemas(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    seen_ids = set()
    for (method, path), success in NEW_OPERATIONS.items():
        operation = paths[path][method]
        assert operation["operationId"].startswith("programmes_"), path
        assert operation["summary"], path
        content = operation["responses"][success]["content"]
        schema = next(iter(content.values()))["schema"]
        assert schema.get("$ref") or schema.get("type") in {"array", "string"}, path
        assert "401" in operation["responses"], path
        seen_ids.add(operation["operationId"])
    assert len(seen_ids) == len(NEW_OPERATIONS)
    assert list(paths["/api/v1/programmes/invoices/{invoice_id}/pdf"]["get"]["responses"]["200"]["content"]) == [
        "application/pdf"
    ]
