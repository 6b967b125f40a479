"""The registration page shows the terms being accepted, the fees by kind of organisation, and a time-zone choice
that is kept on the person's profile once they have registered."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.models import Cohort, Enrolment, Programme

from .builders import nz

COHORT_URL = "/programmes/inspiring-test/cld-facilitation/2024/"
REGISTER_URL = f"{COHORT_URL}register/"
DURING = nz(2024, 2, 1, 10)
AFTER_CLOSING = nz(2024, 3, 21, 0, 0, 1)
TERMS = "Cancellations before study starts are refunded in full.\n\nAfter that, no refund is given."
FORM = {
    "organisation_name": "Ōtautahi Community Trust",
    "organisation_type": "community",
    "terms_accepted": "on",
}


@pytest.fixture(autouse=True)
def during_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: DURING)


def with_terms(programme: Programme, terms: str = TERMS) -> None:
    Programme.objects.filter(pk=programme.pk).update(terms=terms)


def consent_checkbox(page: str) -> str:
    found = re.search(r'<input[^>]*name="terms_accepted"[^>]*>', page)
    assert found is not None, "no consent checkbox"
    return found.group(0)


class TestTheTerms:
    def test_the_terms_are_shown_in_paragraphs_and_the_checkbox_points_to_them(
        self, cohort: Cohort, programme: Programme, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        with_terms(programme)
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert '<section id="registration-terms"' in page
        assert "<p>Cancellations before study starts are refunded in full.</p>" in page
        assert "<p>After that, no refund is given.</p>" in page
        assert 'aria-describedby="registration-terms"' in consent_checkbox(page)
        assert "I accept the terms of registration" in page

    def test_terms_are_escaped_not_run_as_html(
        self, cohort: Cohort, programme: Programme, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        with_terms(programme, "No <script>alert(1)</script> here.")
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;" in page

    def test_without_terms_the_person_accepts_the_providers_terms_and_nothing_points_nowhere(
        self, cohort: Cohort, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert "I accept the fee and the conditions described on this page" in page
        assert "registration-terms" not in page
        assert "aria-describedby" not in consent_checkbox(page)

    def test_registering_still_requires_accepting_them(
        self, cohort: Cohort, programme: Programme, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        with_terms(programme)
        response = client_for(applicant).post(REGISTER_URL, {**FORM, "terms_accepted": ""})
        assert response.status_code == 422
        assert "Accept the terms to register." in response.content.decode()
        assert not Enrolment.objects.exists()

    def test_the_terms_accepted_are_kept_as_they_read_then(
        self, cohort: Cohort, programme: Programme, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        with_terms(programme)
        assert client_for(applicant).post(REGISTER_URL, FORM).status_code == 302
        with_terms(programme, "New terms: no refunds at all.")
        enrolment = Enrolment.objects.get(learner=applicant)
        assert enrolment.accepted_terms == TERMS
        admin = cohort.programme.provider.memberships.get(role="programme_admin").user
        staff_page = client_for(admin).get(f"/programmes/staff/{cohort.public_id}/enrolments/{enrolment.pk}/")
        assert "<p>Cancellations before study starts are refunded in full.</p>" in staff_page.content.decode()


class TestTheFees:
    def test_the_fee_for_each_kind_of_organisation_is_shown_before_and_with_tax(
        self, cohort: Cohort, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        for expected in (
            'Local and central government<br><span class="meta">Local government, Central government</span>',
            "Community organisation, Volunteer group, Other",
            "NZD 649.00 + GST",
            "NZD 746.35 incl. GST",
            "NZD 525.00 + GST",
            "NZD 78.75 (15%)",
            "NZD 603.75 incl. GST",
            "Tax is calculated on the fee and rounded to the nearest cent, halves rounded up.",
        ):
            assert expected in page, expected
        assert page.index("NZD 649.00") < page.index('<form method="post" novalidate>'), (
            "seen before the form is filled in"
        )

    def test_a_closed_cohort_shows_no_form_and_no_fees_to_decide_on(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_CLOSING)
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert "Registration closed" in page
        assert "<form" not in page.split("<main")[-1]
        assert "NZD 649.00" not in page


def selected_zone(page: str) -> str:
    """The place the time-zone box shows (a label such as "London, Britain (UK)"), or "" when empty."""
    box = re.search(r'<input type="text" name="time_zone"[^>]*>', page)
    assert box is not None, "no time-zone choice"
    chosen = re.search(r' value="([^"]*)"', box.group(0))
    return chosen.group(1) if chosen else ""


class TestTheTimeZone:
    def test_it_is_prefilled_from_the_profile(
        self, cohort: Cohort, client_for: Callable[[User | None], Client]
    ) -> None:
        person = UserFactory(email="in-london@example.org", full_name="Sam Reed", time_zone="Europe/London")
        page = client_for(person).get(REGISTER_URL).content.decode()
        assert selected_zone(page) == "London, Britain (UK)"

    def test_when_the_profile_has_none_the_browser_is_asked_to_guess(
        self, cohort: Cohort, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert re.search(r'<input type="text" name="time_zone"[^>]*data-guess-zone', page)
        assert selected_zone(page) == ""
        assert "Your time zone" in page

    def test_a_chosen_zone_is_saved_to_the_profile_on_registering(
        self, cohort: Cohort, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(applicant).post(REGISTER_URL, {**FORM, "time_zone": "Pacific/Chatham"})
        assert response.status_code == 302
        applicant.refresh_from_db()
        assert applicant.time_zone == "Pacific/Chatham"
        assert applicant.full_name == "Aroha Te Whare", "the name is left as it was"
        assert Enrolment.objects.filter(learner=applicant).exists()

    def test_no_choice_leaves_the_profile_as_it_was(
        self, cohort: Cohort, client_for: Callable[[User | None], Client]
    ) -> None:
        person = UserFactory(email="in-london@example.org", full_name="Sam Reed", time_zone="Europe/London")
        assert client_for(person).post(REGISTER_URL, {**FORM, "time_zone": ""}).status_code == 302
        person.refresh_from_db()
        assert person.time_zone == "Europe/London"

    def test_a_refused_registration_saves_nothing(
        self,
        cohort: Cohort,
        applicant: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_CLOSING)
        response = client_for(applicant).post(REGISTER_URL, {**FORM, "time_zone": "Pacific/Chatham"})
        assert response.status_code == 422
        applicant.refresh_from_db()
        assert applicant.time_zone == ""
        assert not Enrolment.objects.exists()

    def test_a_zone_not_in_the_list_is_refused_with_the_reason(
        self, cohort: Cohort, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(applicant).post(REGISTER_URL, {**FORM, "time_zone": "Mars/Olympus_Mons"})
        assert response.status_code == 422
        assert "is not a time zone we know. Start typing a city or country" in response.content.decode()
        applicant.refresh_from_db()
        assert applicant.time_zone == ""
        assert not Enrolment.objects.exists()


class TestWhoSeesTheForm:
    def test_an_anonymous_visitor_is_asked_to_sign_in_and_sees_no_form(self, cohort: Cohort, client: Client) -> None:
        response = client.get(REGISTER_URL)
        page = response.content.decode()
        assert response.status_code == 200
        assert "/accounts/login/?next=/programmes/inspiring-test/cld-facilitation/2024/register/" in page
        assert 'name="time_zone"' not in page
        response = client.post(REGISTER_URL, {**FORM, "time_zone": "Pacific/Chatham"})
        assert response.status_code == 200
        assert 'name="time_zone"' not in response.content.decode()
        assert not Enrolment.objects.exists()

    def test_someone_already_registered_is_sent_to_their_page_and_their_zone_is_not_changed(
        self, cohort: Cohort, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(applicant)
        assert client.post(REGISTER_URL, FORM).status_code == 302
        enrolment = Enrolment.objects.get()
        response = client.post(REGISTER_URL, {**FORM, "time_zone": "Pacific/Chatham"})
        assert response.status_code == 302
        assert response["Location"] == f"/programmes/my/{enrolment.pk}/"
        applicant.refresh_from_db()
        assert applicant.time_zone == ""
        assert Enrolment.objects.count() == 1
