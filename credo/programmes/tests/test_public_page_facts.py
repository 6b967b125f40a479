"""The public cohort page says what a person needs to decide: assessment, resubmissions, facilitators, where each
workshop happens, what it leads to, and, once registration has closed, its history and the intake open now."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.catalogue.models import Qualification, Status
from credo.programmes.models import Cohort, Programme, RegistrationExtension, Session
from credo.programmes.services import cohorts
from credo.programmes.views.public import _months

from .builders import AUCKLAND, cohort_2024, nz
from .staff_helpers import register

COHORT_URL = "/programmes/inspiring-test/cld-facilitation/2024/"
API = "/api/v1/programmes/public/programmes/inspiring-test/cld-facilitation/cohorts"
DURING = nz(2024, 2, 1, 10)
AFTER_CLOSING = nz(2024, 4, 1, 9)
ZOOM = "https://zoom.example/j/secret-meeting-123"


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def facilitator(cohort: Cohort, email: str, name: str) -> User:
    user = MembershipFactory(
        user=UserFactory(email=email, full_name=name), organisation=cohort.programme.provider, role=Role.FACILITATOR
    ).user
    cohort.facilitators.add(user)
    assert isinstance(user, User)
    return user


def workshop(cohort: Cohort, number: int, **where: str) -> Session:
    starts = nz(2024, 4, 3, 12) + datetime.timedelta(weeks=7 * (number - 1))
    return Session.objects.create(
        cohort=cohort,
        number=number,
        topic=f"Topic {number}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
        **where,
    )


def extend_to_27_march(cohort: Cohort, admin: User) -> None:
    cohorts.extend_registration(
        cohort,
        actor=admin,
        new_closes=cohorts.end_of_day(datetime.date(2024, 3, 27), AUCKLAND),
        reason="More time for councils' approvals",
    )


def next_intake(admin: User, programme: Programme) -> Cohort:
    """The summer intake, taking registrations from 1 March to 30 October 2024."""
    return cohort_2024(
        admin,
        programme,
        name="Summer intake",
        slug="summer",
        registration_opens=nz(2024, 3, 1, 9),
        registration_closes=cohorts.end_of_day(datetime.date(2024, 10, 30), AUCKLAND),
        study_starts=datetime.date(2024, 11, 1),
        study_ends=datetime.date(2025, 2, 20),
        submission_deadline=cohorts.end_of_day(datetime.date(2025, 2, 20), AUCKLAND),
        assessment_starts=datetime.date(2025, 3, 1),
        assessment_ends=datetime.date(2025, 4, 30),
    )


class TestWhatThePageSays:
    def test_it_states_the_assessment_window_and_the_resubmission_allowed(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        page = client.get(COHORT_URL).content.decode()
        assert "Assessed: September to October 2024" in page
        assert "one resubmission is allowed" in page

    def test_it_counts_resubmissions_in_words_and_says_when_there_is_none(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        Cohort.objects.filter(pk=cohort.pk).update(resubmissions_allowed=2)
        assert "up to two resubmissions are allowed" in client.get(COHORT_URL).content.decode()
        Cohort.objects.filter(pk=cohort.pk).update(resubmissions_allowed=0)
        assert "No resubmission: the first submission is assessed as final." in client.get(COHORT_URL).text

    @pytest.mark.parametrize(
        ("starts", "ends", "expected"),
        [
            (datetime.date(2024, 9, 1), datetime.date(2024, 10, 31), "September to October 2024"),
            (datetime.date(2024, 9, 1), datetime.date(2024, 9, 30), "September 2024"),
            (datetime.date(2024, 12, 1), datetime.date(2025, 1, 31), "December 2024 to January 2025"),
        ],
    )
    def test_the_assessment_months_name_a_year_each_side_only_when_they_differ(
        self, starts: datetime.date, ends: datetime.date, expected: str
    ) -> None:
        assert _months(starts, ends) == expected

    def test_it_names_the_facilitators_but_never_their_email_addresses(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        facilitator(cohort, "mere@inspiring-test.example", "Mere Tipene")
        facilitator(cohort, "anna@inspiring-test.example", "Anna Brown")
        page = client.get(COHORT_URL).content.decode()
        assert "<dt>Facilitators</dt><dd>Anna Brown, Mere Tipene</dd>" in page
        assert "inspiring-test.example" not in page

    def test_it_says_where_each_workshop_is_without_revealing_the_meeting_link(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        workshop(cohort, 1, meeting_url=ZOOM)
        workshop(cohort, 2, venue="Te Papa, Wellington")
        workshop(cohort, 3, meeting_url=ZOOM, venue="Tūranga, Christchurch")
        workshop(cohort, 4)
        page = client.get(COHORT_URL).content.decode()
        for place in (
            "Online",
            "At Te Papa, Wellington",
            "At Tūranga, Christchurch, or online",
            "Place to be confirmed",
        ):
            assert f'<td data-label="Where">{place}</td>' in page, place
        assert "zoom.example" not in page
        assert "secret-meeting" not in page

    def test_it_says_what_the_programme_leads_to_and_links_its_catalogue_page(
        self, cohort: Cohort, micro_credential: Qualification, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        Qualification.objects.filter(pk=micro_credential.pk).update(
            credits=15, level_note="Equivalent to NZQF level 5", guided_learning_hours=20
        )
        page = client.get(COHORT_URL).content.decode()
        for expected in (
            "<dt>Qualification</dt><dd>CLD facilitation (test) (micro-credential)</dd>",
            "<dt>Level</dt><dd>Equivalent to NZQF level 5</dd>",
            f"<dt>Code</dt><dd>{micro_credential.code} (RQF), version 1</dd>",
            "<dt>Credits</dt><dd>15</dd>",
            "<dt>Guided learning</dt><dd>20 hours</dd>",
            "<dt>Awarded by</dt><dd>Test Awarding Body</dd>",
            f'<a href="{micro_credential.get_absolute_url()}">CLD facilitation (test) in the catalogue</a>',
        ):
            assert expected in page, expected

    def test_without_a_level_note_it_gives_the_framework_level_and_leaves_out_unknown_figures(
        self, cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        page = client.get(COHORT_URL).content.decode()
        assert "<dt>Level</dt><dd>RQF Level 3</dd>" in page
        assert "<dt>Credits</dt>" not in page
        assert "<dt>Guided learning</dt>" not in page

    def test_a_draft_catalogue_entry_is_not_linked_it_has_no_public_page(
        self, cohort: Cohort, micro_credential: Qualification, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, DURING)
        Qualification.objects.filter(pk=micro_credential.pk).update(status=Status.DRAFT)
        page = client.get(COHORT_URL).content.decode()
        assert "<dt>Qualification</dt><dd>CLD facilitation (test) (micro-credential)</dd>" in page
        assert "in the catalogue</a>" not in page


class TestOnceRegistrationHasClosed:
    def test_an_extension_in_force_is_announced_while_open(
        self, cohort: Cohort, provider_admin: User, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        freeze(monkeypatch, nz(2024, 3, 25, 12))
        page = client.get(COHORT_URL).content.decode()
        assert (
            '<p class="message message-success" role="status"><strong>'
            "Registrations extended! Closing Wednesday 27th March.</strong></p>"
        ) in page

    def test_the_extension_is_told_as_history_and_the_open_intake_is_linked(
        self,
        cohort: Cohort,
        programme: Programme,
        provider_admin: User,
        client: Client,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        next_intake(provider_admin, programme)
        freeze(monkeypatch, AFTER_CLOSING)
        page = client.get(COHORT_URL).content.decode()
        assert "<p>Registration was extended to Wednesday 27 March 2024.</p>" in page
        assert "Registrations extended!" not in page
        assert 'role="status"' not in page
        assert (
            "Another intake is open: "
            '<a href="/programmes/inspiring-test/cld-facilitation/summer/">Summer intake</a>. '
            "Registration is open until Wednesday 30 October 2024, 11:59 PM Pacific/Auckland time."
        ) in page
        assert "places left" not in page

    def test_no_intake_is_linked_when_none_is_open(
        self,
        cohort: Cohort,
        programme: Programme,
        provider_admin: User,
        client: Client,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        future = next_intake(provider_admin, programme)
        Cohort.objects.filter(pk=future.pk).update(registration_opens=nz(2024, 6, 1, 9))
        freeze(monkeypatch, AFTER_CLOSING)
        page = client.get(COHORT_URL).content.decode()
        assert "Registration closed Wednesday 20 March 2024" in page
        assert "Another intake" not in page
        assert "Registration was extended" not in page, "it never was"

    def test_an_open_cohort_does_not_send_people_elsewhere(
        self,
        cohort: Cohort,
        programme: Programme,
        provider_admin: User,
        client: Client,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        next_intake(provider_admin, programme)
        freeze(monkeypatch, nz(2024, 3, 20, 12))  # both open: this one's last day
        assert cohorts.registration_window(Cohort.objects.get(slug="summer")).is_open
        assert "Another intake" not in client.get(COHORT_URL).content.decode()

    def test_a_closed_page_costs_the_same_however_many_learners_and_facilitators(
        self,
        cohort: Cohort,
        programme: Programme,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        next_intake(provider_admin, programme)
        freeze(monkeypatch, DURING)
        register(cohort, UserFactory())
        facilitator(cohort, "f0@inspiring-test.example", "F Zero")
        freeze(monkeypatch, AFTER_CLOSING)
        client = client_for(UserFactory(time_zone="Europe/London"))
        few = queries(client, COHORT_URL)
        freeze(monkeypatch, DURING)
        for n in range(1, 6):
            register(cohort, UserFactory())
            facilitator(cohort, f"f{n}@inspiring-test.example", f"F {n}")
        freeze(monkeypatch, AFTER_CLOSING)
        assert queries(client, COHORT_URL) == few


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm: the session, the user, compiled templates
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


class TestTheAnnouncementRule:
    def test_a_loaded_latest_extension_costs_no_query(
        self, cohort: Cohort, provider_admin: User, django_assert_num_queries: Any
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        cohort.refresh_from_db()
        latest = RegistrationExtension.objects.get()
        with django_assert_num_queries(0):
            during = cohorts.extension_announcement(cohort, nz(2024, 3, 25), latest=latest)
            after = cohorts.extension_announcement(cohort, AFTER_CLOSING, latest=latest)
            none = cohorts.extension_announcement(cohort, AFTER_CLOSING, latest=None)
        assert during == "Registrations extended! Closing Wednesday 27th March."
        assert after == "Registration was extended to Wednesday 27 March 2024."
        assert none == ""

    def test_the_closing_second_is_still_open_and_the_next_is_history(
        self, cohort: Cohort, provider_admin: User
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        cohort.refresh_from_db()
        last_second = nz(2024, 3, 27, 23, 59, 59) + datetime.timedelta(microseconds=500_000)
        assert cohorts.extension_announcement(cohort, last_second).startswith("Registrations extended!")
        assert cohorts.extension_announcement(cohort, nz(2024, 3, 28)).startswith("Registration was extended")

    def test_an_extension_overtaken_by_a_later_change_is_not_history_either(
        self, cohort: Cohort, provider_admin: User
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        Cohort.objects.filter(pk=cohort.pk).update(registration_closes=nz(2024, 3, 29, 12))
        cohort.refresh_from_db()
        assert cohorts.extension_announcement(cohort, nz(2024, 3, 28)) == ""
        assert cohorts.extension_announcement(cohort, AFTER_CLOSING) == ""

    def test_the_api_list_and_the_one_cohort_endpoint_agree_once_closed(
        self,
        cohort: Cohort,
        programme: Programme,
        provider_admin: User,
        client: Client,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        extend_to_27_march(cohort, provider_admin)
        next_intake(provider_admin, programme)
        freeze(monkeypatch, AFTER_CLOSING)
        listed = {row["slug"]: row for row in client.get(API).json()}
        assert listed["2024"]["extension_announcement"] == "Registration was extended to Wednesday 27 March 2024."
        assert listed["summer"]["extension_announcement"] == ""
        for slug, row in listed.items():
            assert row == client.get(f"{API}/{slug}").json(), slug
