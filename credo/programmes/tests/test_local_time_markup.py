"""Workshop and check-in times a viewer's browser turns into their own: `<time class="local-time">` (read by credo.js)
where the server could not show the viewer's time, because their profile has no zone; the server's own
"your time" where it has one, and then no markup, so the time is never shown twice."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.programmes.models import Cohort, Enrolment, Session

from .checkins_builders import NOW, CheckIns, check_ins

# The shared workshop fixtures (session, enrolled, cohort_facilitator).
pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

SignIn = Callable[[User | None], Client]
AUCKLAND = "Pacific/Auckland"
LOCAL_TIME = re.compile(
    r'<time class="local-time" datetime="(?P<start>[^"]+)" data-end="(?P<end>[^"]+)" data-zone="(?P<zone>[^"]+)">'
    r"(?P<text>[^<]*)</time>"
)


@dataclass(frozen=True)
class Marked:
    """One `<time class="local-time">` as the browser reads it."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    zone: str
    text: str


def marked_times(html: str) -> list[Marked]:
    return [
        Marked(
            starts_at=datetime.datetime.fromisoformat(found["start"]),
            ends_at=datetime.datetime.fromisoformat(found["end"]),
            zone=found["zone"],
            text=found["text"],
        )
        for found in LOCAL_TIME.finditer(html)
    ]


def page(client_for: SignIn, viewer: User, url: str) -> str:
    response = client_for(viewer).get(url)
    assert response.status_code == 200, response
    return response.content.decode()


def without_zone(user: User) -> User:
    user.time_zone = ""
    user.save(update_fields=["time_zone"])
    return user


def in_zone(user: User, zone_name: str) -> User:
    user.time_zone = zone_name
    user.save(update_fields=["time_zone"])
    return user


def workshop_marked(session: Session) -> Marked:
    return Marked(session.starts_at, session.ends_at, AUCKLAND, "Wednesday 3 April, 12:00\u201313:30 NZDT")


@pytest.fixture
def before_the_workshops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW - datetime.timedelta(days=7))


class TestTheLearnersStudyPage:
    def url(self, enrolment: Enrolment) -> str:
        return reverse("programmes:my-enrolment", args=[enrolment.pk])

    def test_without_a_profile_zone_the_next_workshop_and_the_list_are_marked_for_the_browser(
        self, client_for: SignIn, session: Session, enrolled: Enrolment, before_the_workshops: None
    ) -> None:
        html = page(client_for, without_zone(enrolled.learner), self.url(enrolled))
        # Once as the next workshop, once in the list of workshops.
        assert marked_times(html) == [workshop_marked(session)] * 2
        assert "your time" not in html.lower()

    def test_with_a_profile_zone_the_server_shows_it_and_nothing_is_marked(
        self, client_for: SignIn, session: Session, enrolled: Enrolment, before_the_workshops: None
    ) -> None:
        html = page(client_for, in_zone(enrolled.learner, "Europe/London"), self.url(enrolled))
        assert html.count("(your time: Wednesday 3 April, 00:00\u201301:30 BST)") == 2
        assert marked_times(html) == []
        assert "local-time" not in html


class TestTheWorkshopsPage:
    def url(self, cohort: Cohort) -> str:
        return reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})

    def test_a_learner_without_a_profile_zone_gets_the_times_marked_for_the_browser(
        self, client_for: SignIn, session: Session, enrolled: Enrolment
    ) -> None:
        html = page(client_for, without_zone(enrolled.learner), self.url(session.cohort))
        assert marked_times(html) == [workshop_marked(session)]
        assert "your time" not in html.lower()
        assert "and in yours" not in html

    def test_a_learner_with_another_profile_zone_gets_the_servers_your_time_only(
        self, client_for: SignIn, session: Session, enrolled: Enrolment
    ) -> None:
        html = page(client_for, in_zone(enrolled.learner, "Atlantic/Reykjavik"), self.url(session.cohort))
        assert "(your time: Tuesday 2 April, 23:00\u201300:30 GMT)" in html
        assert "and in yours (Reykjavik, Iceland)" in html
        assert marked_times(html) == []

    def test_a_profile_zone_that_is_the_cohorts_leaves_it_to_the_browser(
        self, client_for: SignIn, session: Session, enrolled: Enrolment
    ) -> None:
        """The server has nothing to add; a learner travelling with their laptop still sees where they are."""
        html = page(client_for, in_zone(enrolled.learner, AUCKLAND), self.url(session.cohort))
        assert marked_times(html) == [workshop_marked(session)]
        assert "your time" not in html.lower()

    def test_staff_without_a_profile_zone_get_the_times_marked_too(
        self, client_for: SignIn, session: Session, provider_admin: User
    ) -> None:
        html = page(client_for, without_zone(provider_admin), self.url(session.cohort))
        assert marked_times(html) == [workshop_marked(session)]


class TestStaffWorkshopPages:
    def test_the_attendance_page_marks_the_time_without_a_profile_zone(
        self, client_for: SignIn, session: Session, cohort_facilitator: User
    ) -> None:
        url = reverse("programmes:attendance", kwargs={"session_id": session.public_id})
        html = page(client_for, without_zone(cohort_facilitator), url)
        assert marked_times(html) == [workshop_marked(session)]

    def test_the_attendance_page_shows_the_servers_time_with_a_profile_zone(
        self, client_for: SignIn, session: Session, cohort_facilitator: User
    ) -> None:
        url = reverse("programmes:attendance", kwargs={"session_id": session.public_id})
        html = page(client_for, in_zone(cohort_facilitator, "Europe/London"), url)
        assert "(your time: Wednesday 3 April, 00:00\u201301:30 BST)" in html
        assert marked_times(html) == []

    def test_the_cancel_page_marks_the_time_it_shows_in_the_cohorts_zone(
        self, client_for: SignIn, session: Session, provider_admin: User, before_the_workshops: None
    ) -> None:
        url = reverse("programmes:session-cancel", kwargs={"session_id": session.public_id})
        html = page(client_for, provider_admin, url)
        assert marked_times(html) == [workshop_marked(session)]


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation, monkeypatch: pytest.MonkeyPatch) -> CheckIns:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return check_ins(cohort, provider_admin, provider)


def without_text(times: list[Marked]) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    return [(shown.starts_at, shown.ends_at, shown.zone) for shown in times]


class TestCheckInTimes:
    def learner_url(self, enrolment: Enrolment) -> str:
        return reverse("programmes:checkins-learner", args=[enrolment.pk])

    def test_a_learner_without_a_profile_zone_gets_booked_and_free_times_marked(
        self, client_for: SignIn, world: CheckIns
    ) -> None:
        world.book(world.mere, 0)
        html = page(client_for, without_zone(world.mere.learner), self.learner_url(world.mere))
        marked = marked_times(html)
        # The booked time first, then the two still free.
        assert without_text(marked) == [(slot.starts_at, slot.ends_at, AUCKLAND) for slot in world.slots]
        assert marked[0].text == "Wednesday 10 April 2024, 12:00 PM (Pacific/Auckland)"
        assert "Your time:" not in html

    def test_a_learner_with_a_profile_zone_gets_the_servers_time_and_no_markup(
        self, client_for: SignIn, world: CheckIns
    ) -> None:
        html = page(client_for, world.aroha.learner, self.learner_url(world.aroha))
        assert world.aroha.learner.time_zone == "Europe/London"
        assert "Your time: Wednesday 10 April 2024, 1:00 AM (Europe/London)" in html
        assert marked_times(html) == []
        assert "local-time" not in html

    def test_the_cohorts_facilitator_without_a_profile_zone_gets_the_offered_times_marked(
        self, client_for: SignIn, world: CheckIns
    ) -> None:
        url = reverse("programmes:checkins-staff", kwargs={"public_id": world.cohort.public_id})
        html = page(client_for, without_zone(world.facilitator), url)
        assert without_text(marked_times(html)) == [(slot.starts_at, slot.ends_at, AUCKLAND) for slot in world.slots]
        assert "Your time:" not in html

    def test_the_booking_notes_page_shows_one_time_either_way(self, client_for: SignIn, world: CheckIns) -> None:
        booking = world.book(world.aroha, 1)
        url = reverse(
            "programmes:checkins-notes", kwargs={"public_id": world.cohort.public_id, "booking_id": booking.pk}
        )
        in_london = page(client_for, in_zone(world.facilitator, "Europe/London"), url)
        assert "Your time: Thursday 11 April 2024, 1:00 AM (Europe/London)" in in_london
        assert marked_times(in_london) == []
        unset = page(client_for, without_zone(world.facilitator), url)
        assert without_text(marked_times(unset)) == [(booking.slot.starts_at, booking.slot.ends_at, AUCKLAND)]
        assert "Your time:" not in unset
