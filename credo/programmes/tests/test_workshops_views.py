"""Workshop pages: who sees sessions and links, admins set them up, facilitators take attendance, calendar feeds.

Every page refuses the anonymous visitor, an outsider, a learner and a facilitator of another cohort, and
another provider's admin, and then nothing has changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Attendance, CalendarFeed, CheckInBooking, CheckInSlot, Cohort, Enrolment, Session
from credo.programmes.services import workshops

from .builders import nz
from .workshops_builders import REFUSED, SEED_WORKSHOPS, ZOOM, details, enrol, person

# The shared workshop fixtures (session, enrolled, cohort_facilitator, the refused people).
pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

Clients = Callable[[User | None], Client]
AFTER_WORKSHOP_1 = nz(2024, 4, 3, 14)


@pytest.fixture
def after_workshop_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_WORKSHOP_1)


def sessions_url(cohort: Cohort) -> str:
    return reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})


def session_url(name: str, session: Session) -> str:
    return reverse(f"programmes:{name}", kwargs={"session_id": session.public_id})


def assert_refused(response: Any) -> None:
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code in (403, 404)


class TestSessionsPage:
    def test_a_learner_sees_the_sessions_in_both_zones_with_the_link_and_an_ics(
        self, client_for: Clients, session: Session, enrolled: Enrolment
    ) -> None:
        enrolled.learner.time_zone = "Atlantic/Reykjavik"
        enrolled.learner.save()
        page = client_for(enrolled.learner).get(sessions_url(session.cohort))
        html = page.content.decode()
        assert page.status_code == 200
        assert "Wednesday 3 April, 12:00\u201313:30 NZDT (your time: Tuesday 2 April, 23:00\u201300:30 GMT)" in html
        assert ZOOM in html
        assert session_url("session-ics", session) in html
        assert session_url("session-change", session) not in html
        assert session_url("attendance", session) not in html
        assert "no-cache" in page["Cache-Control"]

    def test_an_admin_sees_change_cancel_and_attendance(
        self, client_for: Clients, session: Session, provider_admin: User
    ) -> None:
        html = client_for(provider_admin).get(sessions_url(session.cohort)).content.decode()
        for name in ("session-change", "session-cancel", "attendance"):
            assert session_url(name, session) in html

    @pytest.mark.parametrize("who", REFUSED)
    def test_others_are_refused(self, request: pytest.FixtureRequest, client_for: Clients, session: Session,
                                who: str) -> None:  # fmt: skip
        page = client_for(person(request, who)).get(sessions_url(session.cohort))
        assert_refused(page)
        assert ZOOM not in page.content.decode()


class TestSettingUpSessions:
    FORM = {"number": "2", "topic": "Unpacking the tasks", "day": "2024-05-22", "starts": "12:00", "ends": "13:30",
            "meeting_url": ZOOM, "venue": ""}  # fmt: skip

    def test_an_admin_adds_a_session_in_the_cohorts_zone(
        self, client_for: Clients, cohort: Cohort, provider_admin: User
    ) -> None:
        response = client_for(provider_admin).post(
            reverse("programmes:session-add", kwargs={"cohort_id": cohort.public_id}), self.FORM
        )
        assert response.status_code == 302
        added = cohort.sessions.get()
        assert added.starts_at == datetime.datetime(2024, 5, 22, 0, 0, tzinfo=datetime.UTC)

    def test_bad_input_comes_back_with_the_field_to_fix(
        self, client_for: Clients, cohort: Cohort, provider_admin: User
    ) -> None:
        response = client_for(provider_admin).post(
            reverse("programmes:session-add", kwargs={"cohort_id": cohort.public_id}), {**self.FORM, "ends": "11:00"}
        )
        assert response.status_code == 200
        assert "The session must end after it starts" in response.content.decode()
        assert not cohort.sessions.exists()

    def test_an_admin_moves_a_session_and_learners_are_emailed(
        self,
        client_for: Clients,
        session: Session,
        provider_admin: User,
        enrolled: Enrolment,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        mail.outbox.clear()
        form = {**self.FORM, "topic": session.topic, "day": "2024-04-10"}
        del form["number"]
        prefilled = client_for(provider_admin).get(session_url("session-change", session)).content.decode()
        assert 'value="2024-04-03"' in prefilled  # the day and times as entered, in Auckland time
        assert 'name="starts" value="12:00"' in prefilled
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(provider_admin).post(session_url("session-change", session), form)
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.sequence == 1
        assert "When: Wednesday 10 April, 12:00\u201313:30 NZST" in mail.outbox[0].body

    def test_an_admin_cancels_with_a_reason(self, client_for: Clients, session: Session, provider_admin: User) -> None:
        client = client_for(provider_admin)
        assert "Reason" in client.get(session_url("session-cancel", session)).content.decode()
        response = client.post(session_url("session-cancel", session), {"reason": "Facilitator unwell"})
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.cancel_reason == "Facilitator unwell"

    @pytest.mark.parametrize("who", [*REFUSED, "cohort_facilitator", "enrolled_learner"])
    def test_others_cannot_add_change_or_cancel(
        self, request: pytest.FixtureRequest, client_for: Clients, session: Session, enrolled: Enrolment, who: str
    ) -> None:
        actor = enrolled.learner if who == "enrolled_learner" else person(request, who)
        client = client_for(actor)
        add = reverse("programmes:session-add", kwargs={"cohort_id": session.cohort.public_id})
        for url, data in [
            (add, self.FORM),
            (session_url("session-change", session), {**self.FORM, "topic": "Hijacked"}),
            (session_url("session-cancel", session), {"reason": "Hijacked"}),
        ]:
            assert_refused(client.get(url))
            assert_refused(client.post(url, data))
        session.refresh_from_db()
        assert (session.topic, session.sequence, session.cancelled_at) == (SEED_WORKSHOPS[0][2], 0, None)
        assert Session.objects.count() == 1
        assert (
            not AuditEvent.objects.filter(action__startswith="programmes.session_")
            .exclude(action="programmes.session_added")
            .exists()
        )


class TestAttendancePage:
    def test_the_facilitator_ticks_who_came_and_the_rest_are_absent(
        self,
        client_for: Clients,
        session: Session,
        enrolled: Enrolment,
        cohort_facilitator: User,
        provider_admin: User,
        after_workshop_1: None,
    ) -> None:
        second = enrol(session.cohort, provider_admin, "hemi@example.org")
        client = client_for(cohort_facilitator)
        page = client.get(session_url("attendance", session)).content.decode()
        assert 'type="checkbox" name="present"' in page
        assert "Mere Parata" in page
        response = client.post(session_url("attendance", session), {"present": [str(enrolled.pk)]})
        assert response.status_code == 302
        assert dict(Attendance.objects.values_list("enrolment_id", "present")) == {enrolled.pk: True, second.pk: False}

    def test_with_htmx_only_the_form_comes_back(
        self, client_for: Clients, session: Session, enrolled: Enrolment, cohort_facilitator: User,
        after_workshop_1: None,
    ) -> None:  # fmt: skip
        response = client_for(cohort_facilitator).post(
            session_url("attendance", session), {"present": [str(enrolled.pk)]}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith("<form")
        assert "Attendance saved." in html

    def test_before_the_session_the_page_says_why_nothing_was_saved(
        self, client_for: Clients, session: Session, enrolled: Enrolment, cohort_facilitator: User,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 4, 1))
        page = client_for(cohort_facilitator).get(session_url("attendance", session)).content.decode()
        assert "You can record attendance once the session has started." in page
        assert 'name="present"' not in page
        response = client_for(cohort_facilitator).post(session_url("attendance", session), {"present": []})
        assert response.status_code == 422
        assert "once the session has started" in response.content.decode()
        assert not Attendance.objects.exists()
        with_htmx = client_for(cohort_facilitator).post(
            session_url("attendance", session), {"present": []}, headers={"HX-Request": "true"}
        )
        assert with_htmx.status_code == 200  # htmx swaps in only successful responses
        assert "once the session has started" in with_htmx.content.decode()
        assert not Attendance.objects.exists()

    @pytest.mark.parametrize("who", [*REFUSED, "enrolled_learner", "facilitator"])
    def test_others_are_refused_and_nothing_is_recorded(
        self, request: pytest.FixtureRequest, client_for: Clients, session: Session, enrolled: Enrolment, who: str,
        after_workshop_1: None,
    ) -> None:  # fmt: skip
        actor = enrolled.learner if who == "enrolled_learner" else person(request, who)
        client = client_for(actor)
        assert_refused(client.get(session_url("attendance", session)))
        assert_refused(client.post(session_url("attendance", session), {"present": [str(enrolled.pk)]}))
        assert not Attendance.objects.exists()
        assert not AuditEvent.objects.filter(action="programmes.attendance_recorded").exists()


class TestCalendars:
    def test_a_session_downloads_as_ics(self, client_for: Clients, session: Session, enrolled: Enrolment) -> None:
        response = client_for(enrolled.learner).get(session_url("session-ics", session))
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "private" in response["Cache-Control"]
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["uid"]) == f"{session.public_id}@127.0.0.1"

    def test_a_learner_subscribes_and_the_feed_has_their_sessions_without_signing_in(
        self, client_for: Clients, session: Session, enrolled: Enrolment, client: Client
    ) -> None:
        learner = client_for(enrolled.learner)
        url = reverse("programmes:calendar-subscription", kwargs={"cohort_id": session.cohort.public_id})
        assert learner.post(url, {"action": "subscribe"}).status_code == 302
        feed = CalendarFeed.objects.get(owner=enrolled.learner)
        assert feed.enrolment == enrolled
        feed_url = reverse("programmes:calendar-feed", args=[feed.token])
        assert feed_url in learner.get(sessions_url(session.cohort)).content.decode()
        response = client.get(feed_url)  # a calendar app: no session cookie
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "no-store" in response["Cache-Control"]
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        assert event.decoded("dtstart") == datetime.datetime(2024, 4, 2, 23, 0, tzinfo=datetime.UTC)

        learner.post(url, {"action": "regenerate"})
        assert client.get(feed_url).status_code == 404
        new = CalendarFeed.objects.get(owner=enrolled.learner, revoked_at__isnull=True)
        learner.post(url, {"action": "revoke"})
        assert client.get(reverse("programmes:calendar-feed", args=[new.token])).status_code == 404

    def test_a_learners_feed_has_their_check_ins_but_not_cancelled_ones_nor_other_learners(
        self, session: Session, enrolled: Enrolment, cohort_facilitator: User, provider_admin: User, client: Client
    ) -> None:
        other = enrol(session.cohort, provider_admin, "hemi@example.org")
        slots = [
            CheckInSlot.objects.create(
                cohort=session.cohort,
                facilitator=cohort_facilitator,
                starts_at=nz(2024, 5, day, 10),
                ends_at=nz(2024, 5, day, 10, 30),
                meeting_url="https://zoom.example/j/checkin",
            )
            for day in (6, 7, 8)
        ]
        mine = CheckInBooking.objects.create(slot=slots[0], enrolment=enrolled)
        CheckInBooking.objects.create(slot=slots[1], enrolment=enrolled, cancelled_at=nz(2024, 5, 1))
        CheckInBooking.objects.create(slot=slots[2], enrolment=other)
        feed = workshops.feed_for(enrolled.learner, enrolment=enrolled)
        response = client.get(reverse("programmes:calendar-feed", args=[feed.token]))
        workshop, check_in = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(workshop["uid"]) == f"{session.public_id}@127.0.0.1"
        assert str(check_in["uid"]) == f"check-in-{mine.pk}@127.0.0.1"
        assert str(check_in["summary"]) == "1:1 check-in with Tui Facilitator"
        assert check_in.decoded("dtstart") == datetime.datetime(2024, 5, 5, 22, 0, tzinfo=datetime.UTC)

    def test_the_sessions_page_makes_the_same_queries_however_many_sessions(
        self, client_for: Clients, session: Session, enrolled: Enrolment, provider_admin: User,
        django_assert_max_num_queries: Any,
    ) -> None:  # fmt: skip
        client = client_for(enrolled.learner)
        with CaptureQueriesContext(connection) as one:
            client.get(sessions_url(session.cohort))
        for number, day, topic in SEED_WORKSHOPS[1:]:
            workshops.add_session(session.cohort, actor=provider_admin, number=number, details=details(day, topic))
        with django_assert_max_num_queries(len(one.captured_queries)):
            page = client.get(sessions_url(session.cohort))
        assert page.content.decode().count("Add to calendar (.ics)") == 4

    def test_staff_subscribe_to_the_cohorts_feed(
        self, client_for: Clients, session: Session, cohort_facilitator: User, client: Client
    ) -> None:
        url = reverse("programmes:calendar-subscription", kwargs={"cohort_id": session.cohort.public_id})
        client_for(cohort_facilitator).post(url, {"action": "subscribe"})
        feed = CalendarFeed.objects.get(owner=cohort_facilitator)
        assert feed.cohort == session.cohort
        assert ZOOM in client.get(reverse("programmes:calendar-feed", args=[feed.token])).content.decode()

    def test_another_persons_token_page_does_not_show_it(
        self, client_for: Clients, session: Session, enrolled: Enrolment, provider_admin: User
    ) -> None:
        own = workshops.feed_for(enrolled.learner, enrolment=enrolled)
        assert own.token not in client_for(provider_admin).get(sessions_url(session.cohort)).content.decode()

    def test_an_unknown_token_is_not_found(self, client: Client, db: None) -> None:
        assert client.get(reverse("programmes:calendar-feed", args=["x" * 43])).status_code == 404

    @pytest.mark.parametrize("who", REFUSED)
    def test_others_get_no_ics_and_no_subscription(
        self, request: pytest.FixtureRequest, client_for: Clients, session: Session, who: str
    ) -> None:
        client = client_for(person(request, who))
        assert_refused(client.get(session_url("session-ics", session)))
        url = reverse("programmes:calendar-subscription", kwargs={"cohort_id": session.cohort.public_id})
        assert_refused(client.post(url, {"action": "subscribe"}))
        assert not CalendarFeed.objects.exists()
