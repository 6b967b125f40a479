"""The public programme and cohort pages, and registering from them: new or existing account, late, twice."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, Invoice, Programme, Session
from credo.programmes.services import cohorts

from .builders import cohort_2024, nz

COHORT_URL = "/programmes/inspiring-test/cld-facilitation/2024/"
REGISTER_URL = f"{COHORT_URL}register/"
DURING = nz(2024, 2, 1, 10)
AFTER_CLOSING = nz(2024, 3, 21, 0, 0, 1)
FORM = {
    "organisation_name": "Ōtautahi Community Trust",
    "organisation_type": "community",
    "terms_accepted": "on",
    "invoice_to_organisation": "on",
}


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def workshops(cohort: Cohort) -> list[Session]:
    topics = ["What is CLD?", "Facilitating together", "Evidence and reflection", "Planning future practice"]
    return [
        Session.objects.create(
            cohort=cohort,
            number=number,
            topic=topic,
            starts_at=nz(2024, 4, 10, 12) + datetime.timedelta(weeks=number - 1),
            ends_at=nz(2024, 4, 10, 13, 30) + datetime.timedelta(weeks=number - 1),
        )
        for number, topic in enumerate(topics, start=1)
    ]


class TestTheCohortPage:
    def test_it_tells_a_visitor_everything_needed_to_decide(
        self, cohort: Cohort, workshops: list[Session], client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        page = client.get(COHORT_URL).content.decode()
        for expected in (
            "Micro-credential in CLD facilitation: 2024 intake",
            "Validate your community-led development facilitation experience",
            "People already working in communities",
            "A written CLD case study",
            "About 2 hours a week over 5 months",
            "Registration is open until Wednesday 20 March 2024, 11:59 PM Pacific/Auckland time.",
            "What is CLD?",
            "Wednesday 10 April, 12:00\u201313:30 NZST",  # start and end, as the seed writes them
            # Fees before and with GST, the rounding rule, and what the fee buys.
            "NZD 649.00 + GST",
            "NZD 97.35 (15%)",
            "NZD 746.35 incl. GST",
            "NZD 525.00 + GST",
            "NZD 78.75 (15%)",
            "NZD 603.75 incl. GST",
            "Tax is calculated on the fee and rounded to the nearest cent, halves rounded up.",
            "<li>Two 1:1 guidance sessions</li>",
            "<li>Four facilitated workshops</li>",
            # Anonymous visitors sign up or sign in, and come back to the form.
            "/accounts/signup/?next=/programmes/inspiring-test/cld-facilitation/2024/register/",
            "/accounts/login/?next=/programmes/inspiring-test/cld-facilitation/2024/register/",
        ):
            assert expected in page, expected

    def test_a_signed_in_viewer_also_sees_workshop_times_in_their_own_zone(
        self,
        cohort: Cohort,
        workshops: list[Session],
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        applicant.time_zone = "Europe/London"
        applicant.save()
        freeze(monkeypatch, DURING)
        page = client_for(applicant).get(COHORT_URL).content.decode()
        assert "Wednesday 10 April, 12:00\u201313:30 NZST" in page
        assert "Your time: Wednesday 10 April, 01:00\u201302:30 BST" in page
        assert f'href="{REGISTER_URL}"' in page

    def test_it_announces_an_extension_and_says_how_many_places_are_left(
        self, cohort: Cohort, provider_admin: User, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(capacity=12)
        cohorts.extend_registration(
            cohort,
            actor=provider_admin,
            new_closes=cohorts.end_of_day(datetime.date(2024, 3, 27), "Pacific/Auckland"),
            reason="More time for councils' approvals",
        )
        freeze(monkeypatch, AFTER_CLOSING)
        page = client.get(COHORT_URL).content.decode()
        assert "Registrations extended! Closing Wednesday 27th March." in page
        assert "12 places left." in page

    def test_a_full_cohort_offers_the_waiting_list(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(capacity=0)
        freeze(monkeypatch, DURING)
        assert "registering puts you on the waiting list" in client.get(COHORT_URL).content.decode()

    def test_after_closing_it_says_so_and_offers_no_registration(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, AFTER_CLOSING)
        page = client.get(COHORT_URL).content.decode()
        assert "Registration closed Wednesday 20 March 2024" in page
        assert "/accounts/signup/" not in page

    def test_an_unknown_cohort_is_not_found(self, cohort: Cohort, client: Client) -> None:
        assert client.get("/programmes/inspiring-test/cld-facilitation/1999/").status_code == 404
        assert client.get("/programmes/other-provider/cld-facilitation/2024/").status_code == 404


class TestTheProgrammePage:
    def test_it_lists_cohorts_with_past_ones_marked_past(
        self,
        cohort: Cohort,
        programme: Programme,
        provider_admin: User,
        client: Client,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        cohort_2025(provider_admin, programme)
        freeze(monkeypatch, nz(2025, 2, 1, 10))
        response = client.get("/programmes/inspiring-test/cld-facilitation/")
        page = response.content.decode()
        assert response.status_code == 200
        assert f'<a href="{COHORT_URL}">2024 intake</a> <span class="tag tag-withdrawn">Past: closed</span>' in page
        assert '2025 intake</a> <span class="tag tag-live">Open for registration</span>' in page
        assert page.index("2025 intake") < page.index("2024 intake")

    def test_an_unknown_programme_is_not_found(self, programme: Programme, client: Client) -> None:
        assert client.get("/programmes/inspiring-test/nothing-here/").status_code == 404


def cohort_2025(admin: User, programme: Programme) -> Cohort:
    return cohort_2024(
        admin,
        programme,
        name="2025 intake",
        slug="2025",
        registration_opens=nz(2025, 1, 15, 9),
        registration_closes=cohorts.end_of_day(datetime.date(2025, 3, 20), "Pacific/Auckland"),
        study_starts=datetime.date(2025, 4, 2),
        study_ends=datetime.date(2025, 8, 31),
        submission_deadline=cohorts.end_of_day(datetime.date(2025, 8, 31), "Pacific/Auckland"),
        assessment_starts=datetime.date(2025, 9, 1),
        assessment_ends=datetime.date(2025, 10, 31),
    )


class TestRegistering:
    def test_a_signed_in_learner_registers_and_sees_the_invoice(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, DURING)
        client = client_for(applicant)
        assert "Kind of organisation" in client.get(REGISTER_URL).content.decode()
        response = client.post(REGISTER_URL, FORM)
        enrolment = Enrolment.objects.get(cohort=cohort, learner=applicant)
        assert response.status_code == 302
        assert response["Location"] == f"/programmes/my/{enrolment.pk}/registered/"
        assert (enrolment.state, enrolment.organisation_type, enrolment.invoice_to_organisation) == (
            EnrolmentState.APPLIED,
            "community",
            True,
        )
        invoice = enrolment.invoices.get()
        page = client.get(response["Location"]).content.decode()
        assert "You are registered for Micro-credential in CLD facilitation: 2024 intake" in page
        assert invoice.reference in page
        assert "NZD 603.75" in page
        assert f"/programmes/invoices/{invoice.pk}.pdf" in page

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("terms_accepted", "", "Accept the terms to register."),
            ("organisation_name", "", "This field is required."),
            ("organisation_type", "", "This field is required."),
        ],
    )
    def test_a_form_missing_something_says_what(
        self,
        field: str,
        value: str,
        message: str,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, DURING)
        response = client_for(applicant).post(REGISTER_URL, {**FORM, field: value})
        assert response.status_code == 422
        assert message in response.content.decode()
        assert not Enrolment.objects.exists()

    def test_a_late_registration_is_refused_clearly(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, AFTER_CLOSING)
        response = client_for(applicant).post(REGISTER_URL, FORM)
        assert response.status_code == 422
        assert (
            "Registration closed Wednesday 20 March 2024, 11:59 PM Pacific/Auckland time" in response.content.decode()
        )
        assert not Enrolment.objects.exists()
        assert not Invoice.objects.exists()

    def test_the_form_is_not_offered_once_registration_has_closed(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, AFTER_CLOSING)
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert "Registration closed Wednesday 20 March 2024" in page
        assert "Kind of organisation" not in page

    def test_registering_for_a_full_cohort_joins_the_waiting_list_without_an_invoice(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(capacity=0)
        freeze(monkeypatch, DURING)
        response = client_for(applicant).post(REGISTER_URL, FORM, follow=True)
        assert Enrolment.objects.get().state == EnrolmentState.WAITLISTED
        assert not Invoice.objects.exists()
        assert "you are on its waiting list" in response.content.decode()

    def test_registering_twice_leads_back_to_the_first_registration(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, DURING)
        client = client_for(applicant)
        client.post(REGISTER_URL, FORM)
        enrolment = Enrolment.objects.get()
        response = client.post(REGISTER_URL, FORM, follow=True)
        assert response.redirect_chain == [(f"/programmes/my/{enrolment.pk}/", 302)]
        assert "You are already registered for" in response.content.decode()
        assert Enrolment.objects.count() == 1
        assert Invoice.objects.count() == 1

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_an_anonymous_visitor_is_sent_to_sign_up_or_sign_in_and_nothing_is_registered(
        self, method: str, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        response = getattr(client, method)(REGISTER_URL, FORM if method == "post" else None)
        page = response.content.decode()
        assert response.status_code == 200
        assert f"/accounts/signup/?next={REGISTER_URL}" in page
        assert f"/accounts/login/?next={REGISTER_URL}" in page
        assert not Enrolment.objects.exists()
        assert not AuditEvent.objects.filter(action="programmes.registered").exists()

    def test_signing_in_comes_back_to_the_form(
        self, cohort: Cohort, applicant: User, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        applicant.set_password("a long enough passphrase")
        applicant.save()
        EmailAddress.objects.update_or_create(
            user=applicant, email=applicant.email, defaults={"verified": True, "primary": True}
        )
        response = client.post(
            f"/accounts/login/?next={REGISTER_URL}",
            {"login": applicant.email, "password": "a long enough passphrase", "next": REGISTER_URL},
        )
        assert response.status_code == 302
        assert response["Location"] == REGISTER_URL
        freeze(monkeypatch, DURING)
        assert "Kind of organisation" in client.get(REGISTER_URL).content.decode()
