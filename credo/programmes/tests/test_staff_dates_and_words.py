"""Staff pages say what is true in words and in the reader's own day.

* A date a person types is a day in their own zone (their profile's, else the cohort's): a UK admin records a
  payment made this morning on an invoice already dated tomorrow in New Zealand.
* States in words ("Registered, not yet paid", not "Applied"); invoice numbers whole (IT-00001, not INSPIRIN-…).
* The cohort's staff sub-menu marks the page shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, InvoiceState, invoice_code
from credo.programmes.services import enrolments

from .staff_helpers import cohort_facilitator, register

#: 20:00 in London on Wednesday 7 February 2024 is already 09:00 on Thursday 8 February in Auckland.
LONDON_EVENING = datetime.datetime(2024, 2, 7, 20, 0, tzinfo=datetime.UTC)


@pytest.fixture
def nz_morning(monkeypatch: pytest.MonkeyPatch) -> datetime.datetime:
    monkeypatch.setattr("django.utils.timezone.now", lambda: LONDON_EVENING)
    return LONDON_EVENING


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User, nz_morning: datetime.datetime) -> Enrolment:
    enrolment = register(cohort, applicant, now=nz_morning)
    assert enrolment.invoices.get().issued_on == datetime.date(2024, 2, 8)  # the provider's (Auckland) day
    return enrolment


def payment_url(enrolment: Enrolment) -> str:
    return f"/programmes/staff/{enrolment.cohort.public_id}/invoices/{enrolment.invoices.get().pk}/payment"


def detail(enrolment: Enrolment) -> str:
    return f"/programmes/staff/{enrolment.cohort.public_id}/enrolments/{enrolment.pk}/"


def in_zone(user: User, zone_name: str) -> User:
    user.time_zone = zone_name
    user.save(update_fields=["time_zone"])
    return user


class TestThePaymentDate:
    def test_a_uk_admin_records_todays_payment_on_an_invoice_dated_tomorrow_in_new_zealand(
        self, enrolment: Enrolment, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        admin = client_for(in_zone(provider_admin, "Europe/London"))
        data = {"paid_on": "2024-02-07", "reference": "BACS 7 Feb"}
        check = admin.post(payment_url(enrolment), data)  # first the day shown again, nothing recorded
        assert check.status_code == 200
        assert "is marked paid on 7 February 2024 (Europe/London day)." in check.content.decode()
        assert enrolment.invoices.get().state == InvoiceState.ISSUED
        response = admin.post(payment_url(enrolment), {**data, "confirmed": "yes"})
        assert response.status_code == 302, response.content.decode()
        invoice = enrolment.invoices.get()
        assert (invoice.state, invoice.paid_on) == (InvoiceState.PAID, datetime.date(2024, 2, 7))
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.CONFIRMED

    def test_the_form_starts_at_their_today_and_says_which_zone_it_means(
        self, enrolment: Enrolment, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        page = client_for(in_zone(provider_admin, "Europe/London")).get(detail(enrolment)).content.decode()
        assert 'value="2024-02-07"' in page
        assert "Date in your time, Europe/London." in page

    def test_without_a_zone_of_their_own_the_day_is_the_cohorts(
        self, enrolment: Enrolment, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        admin = client_for(in_zone(provider_admin, ""))
        page = admin.get(detail(enrolment)).content.decode()
        assert 'value="2024-02-08"' in page
        assert "Date in the cohort&#x27;s time, Pacific/Auckland." in page
        response = admin.post(payment_url(enrolment), {"paid_on": "2024-02-07"})
        assert response.status_code == 422
        assert "The invoice was issued on 8 February 2024 in Pacific/Auckland: the payment cannot be earlier." in (
            response.content.decode().replace("&#x27;", "'")
        )

    def test_their_tomorrow_is_refused_in_their_own_words(
        self, enrolment: Enrolment, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        admin = client_for(in_zone(provider_admin, "Europe/London"))
        response = admin.post(payment_url(enrolment), {"paid_on": "2024-02-08"})
        assert response.status_code == 422
        assert "today is 7 February 2024 in Europe/London" in response.content.decode()
        assert enrolment.invoices.get().state == InvoiceState.ISSUED

    def test_a_day_before_the_issue_in_their_zone_names_both_days(
        self, enrolment: Enrolment, provider_admin: User
    ) -> None:
        in_zone(provider_admin, "Europe/London")
        with pytest.raises(Exception, match="which was 7 February 2024 in Europe/London") as refused:
            enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=datetime.date(2024, 2, 6))
        assert "8 February 2024 in Pacific/Auckland" in str(refused.value)

    def test_the_api_takes_the_zone_the_day_is_in(
        self, enrolment: Enrolment, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        admin = client_for(provider_admin)  # no zone of their own: the request names it
        url = f"/api/v1/programmes/cohorts/{enrolment.cohort.public_id}/invoices/{enrolment.invoices.get().pk}/payment"
        bad = admin.post(url, {"paid_on": "2024-02-07", "time_zone": "Mars/Olympus"}, content_type="application/json")
        assert bad.status_code == 422
        good = admin.post(url, {"paid_on": "2024-02-07", "time_zone": "Europe/London"}, content_type="application/json")
        assert good.status_code == 200, good.content
        assert good.json()["state"] == "paid"


class TestWords:
    def test_an_unpaid_registration_reads_as_such_in_the_list_and_on_its_page(
        self, cohort: Cohort, applicant: User, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        enrolment = register(cohort, applicant)
        admin = client_for(provider_admin)
        listing = admin.get(f"/programmes/staff/{cohort.public_id}/enrolments/").content.decode()
        assert "Registered, not yet paid" in listing
        assert ">Applied<" not in listing
        page = admin.get(detail(enrolment)).content.decode()
        assert '<span class="tag">Registered, not yet paid</span>' in page
        assert "Issued, not yet paid" in page

    @pytest.mark.parametrize(
        ("slug", "code"),
        [
            ("inspiring-communities", "IC"),
            ("riverside-organising-centre", "ROC"),
            ("centre-for-the-arts", "CA"),
            ("acme", "ACME"),
            ("the-workshop", "WORKSHOP"),
        ],
    )
    def test_an_invoice_code_is_whole_initials_or_a_whole_word(self, slug: str, code: str) -> None:
        assert invoice_code(slug) == code

    def test_an_invoice_number_is_never_cut_short(self, cohort: Cohort, applicant: User) -> None:
        invoice = register(cohort, applicant).invoices.get()
        assert invoice.reference == "IT-00001"  # inspiring-test


class TestTheSubMenu:
    def test_it_marks_the_page_shown_and_the_section_of_an_enrolment(
        self, cohort: Cohort, applicant: User, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        enrolment = register(cohort, applicant)
        admin = client_for(provider_admin)
        listing = admin.get(f"/programmes/staff/{cohort.public_id}/enrolments/").content.decode()
        assert 'aria-current="page">Enrolments</a>' in listing
        assert 'aria-current="page">Dashboard</a>' not in listing
        one = admin.get(detail(enrolment)).content.decode()
        assert 'aria-current="true">Enrolments</a>' in one
        for tail, name in (("sessions", "Workshops"), ("check-ins/", "Check-ins"), ("support/", "Questions")):
            page = admin.get(f"/programmes/cohorts/{cohort.public_id}/{tail}").content.decode()
            assert f'aria-current="page">{name}</a>' in page, tail
            assert "Import learners" in page

    def test_a_facilitator_sees_only_the_pages_open_to_them(
        self, cohort: Cohort, client_for: Callable[[User | None], Client]
    ) -> None:
        facilitator = client_for(cohort_facilitator(cohort))
        for tail in ("sessions", "check-ins/", "support/"):
            page = facilitator.get(f"/programmes/cohorts/{cohort.public_id}/{tail}").content.decode()
            assert 'aria-label="Cohort staff pages"' in page, tail
            assert "Import learners" not in page, tail
            resources = f"/programmes/resources/{cohort.programme.provider.slug}/{cohort.programme.slug}/"
            assert f'href="{resources}"' in page, tail  # the programme's readings and slides, which they keep
            assert facilitator.get(resources).status_code == 200
