"""Signing up for an information session: one click when signed in, a name and an email otherwise; a confirmation
email with the calendar entry; the facilitators and admins see who signed up, nobody else does."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.models import Cohort, Enrolment, InformationSession, InformationSessionSignUp
from credo.programmes.services import pages

pytest_plugins = ["credo.programmes.tests.pages_fixtures", "credo.programmes.tests.workshops_fixtures"]


def _session(cohort: Cohort, admin: User, day: datetime.date) -> InformationSession:
    return pages.add_information_session(
        cohort.programme,
        actor=admin,
        details=pages.InformationSessionDetails(
            title="Information session",
            hosts="our facilitators",
            day=day,
            starts=datetime.time(12),
            ends=datetime.time(13),
            time_zone="Pacific/Auckland",
            meeting_url="https://meet.example.org/join",
        ),
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable) -> Callable[[], Any]:
    """Confirmations are queued once the sign-up commits: run them at the end of the block, as the worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def upcoming(cohort: Cohort, provider_admin: User) -> InformationSession:
    return _session(cohort, provider_admin, timezone.localdate() + datetime.timedelta(days=10))


def test_a_signed_in_person_signs_up_with_one_click_and_gets_the_calendar_entry(
    upcoming: InformationSession, client_for: Callable[[User | None], Client], committed: Callable[[], Any]
) -> None:
    person = UserFactory(email="aroha@example.org", full_name="Aroha Te Whare")
    with committed():
        response = client_for(person).post(f"/programmes/information-sessions/{upcoming.public_id}/sign-up")
    assert response.status_code == 302
    assert response.url == "/programmes/inspiring-test/cld-facilitation/"
    row = InformationSessionSignUp.objects.get()
    assert (row.person, row.name, row.email) == (person, "Aroha Te Whare", "aroha@example.org")
    (sent,) = mail.outbox
    assert sent.to == ["aroha@example.org"]
    assert sent.subject == "You are signed up: Information session, Micro-credential in CLD facilitation"
    assert "Aroha Te Whare," in sent.body
    assert "Join online: https://meet.example.org/join" in sent.body
    assert f"{pages.span(upcoming, 'Pacific/Auckland')}." in sent.body
    assert "It is held by our facilitators." in sent.body
    ((name, ics, kind),) = sent.attachments
    assert (name, kind) == ("information-session.ics", "text/calendar")
    text = ics.decode() if isinstance(ics, bytes) else ics
    assert "BEGIN:VEVENT" in text
    assert f"information-session-{upcoming.public_id}@" in text
    assert "https://meet.example.org/join" in text


def test_signing_up_twice_keeps_one_and_emails_once(
    upcoming: InformationSession, client_for: Callable[[User | None], Client], committed: Callable[[], Any]
) -> None:
    client = client_for(UserFactory(email="twice@example.org"))
    url = f"/programmes/information-sessions/{upcoming.public_id}/sign-up"
    with committed():
        client.post(url)
    with committed():
        text = client.post(url, follow=True).content.decode()
    assert "You were already signed up" in text
    assert "You are signed up." in text  # the programme page says so, instead of the button
    assert InformationSessionSignUp.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_anonymous_visitor_gives_a_name_and_an_email(
    upcoming: InformationSession, client: Client, committed: Callable[[], Any]
) -> None:
    url = f"/programmes/information-sessions/{upcoming.public_id}/sign-up"
    page = client.get(url).content.decode()
    assert 'name="name"' in page
    assert 'name="email"' in page
    with committed():
        response = client.post(url, {"name": "Visitor One", "email": "Visitor@Example.org"})
    assert response.status_code == 302
    row = InformationSessionSignUp.objects.get()
    assert (row.person, row.name, row.email) == (None, "Visitor One", "visitor@example.org")
    assert mail.outbox[0].to == ["visitor@example.org"]


@pytest.mark.parametrize(
    ("data", "message"),
    [({"name": "", "email": "a@example.org"}, "Your name"), ({"name": "A", "email": "not-an-email"}, "valid email")],
)
def test_bad_sign_ups_say_what_to_fix(
    data: dict[str, str], message: str, upcoming: InformationSession, client: Client
) -> None:
    response = client.post(f"/programmes/information-sessions/{upcoming.public_id}/sign-up", data)
    text = response.content.decode()
    assert response.status_code == 422
    assert "<title>Error:" in text
    assert message in text
    assert not InformationSessionSignUp.objects.exists()
    assert not mail.outbox


def test_a_past_session_takes_no_sign_ups(cohort: Cohort, provider_admin: User, client: Client) -> None:
    past = _session(cohort, provider_admin, datetime.date(2024, 2, 14))
    url = f"/programmes/information-sessions/{past.public_id}/sign-up"
    assert "already taken place" in client.get(url).content.decode()
    response = client.post(url, {"name": "Late", "email": "late@example.org"})
    assert response.status_code == 422
    assert "already taken place" in response.content.decode()
    assert not InformationSessionSignUp.objects.exists()


def test_the_public_calendar_entry_has_no_joining_link(upcoming: InformationSession, client: Client) -> None:
    response = client.get(f"/programmes/information-sessions/{upcoming.public_id}.ics")
    assert response["Content-Type"] == "text/calendar"
    assert b"BEGIN:VEVENT" in response.content
    assert b"meet.example.org" not in response.content


@pytest.mark.parametrize("who", ["provider_admin", "cohort_facilitator", "other_facilitator"])
def test_the_programmes_staff_see_who_signed_up(
    who: str, upcoming: InformationSession, request: pytest.FixtureRequest, client_for: Callable
) -> None:
    pages.sign_up(upcoming, name="Visitor One", email="one@example.org")
    text = (
        client_for(request.getfixturevalue(who))
        .get(f"/programmes/information-sessions/{upcoming.public_id}/sign-ups")
        .content.decode()
    )
    assert "Visitor One" in text
    assert "one@example.org" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("other_provider_admin", 404), ("enrolled_learner", 404), ("provider_assessor", 403)],
)  # fmt: skip
def test_nobody_else_sees_who_signed_up(
    who: str, status: int, upcoming: InformationSession, request: pytest.FixtureRequest, client_for: Callable
) -> None:
    pages.sign_up(upcoming, name="Visitor One", email="one@example.org")
    user = request.getfixturevalue("enrolled").learner if who == "enrolled_learner" else request.getfixturevalue(who)
    response = client_for(user).get(f"/programmes/information-sessions/{upcoming.public_id}/sign-ups")
    assert response.status_code == status
    assert b"one@example.org" not in response.content


def test_the_sign_up_list_is_paginated_in_fixed_queries(
    upcoming: InformationSession, provider_admin: User, client_for: Callable, django_assert_max_num_queries: Callable
) -> None:
    client = client_for(provider_admin)
    url = f"/programmes/information-sessions/{upcoming.public_id}/sign-ups"
    pages.sign_up(upcoming, name="First", email="first@example.org")
    with django_assert_max_num_queries(12):
        client.get(url)
    for n in range(25):
        pages.sign_up(upcoming, name=f"P{n}", email=f"p{n}@example.org")
    with django_assert_max_num_queries(12):
        text = client.get(url).content.decode()
    assert "Page 1 of 2" in text
    assert "26 signed up" in text


def test_the_programmes_staff_find_the_sign_ups_from_the_programme_page(
    upcoming: InformationSession, cohort_facilitator: User, enrolled: Enrolment, client_for: Callable
) -> None:
    sign_ups = f"/programmes/information-sessions/{upcoming.public_id}/sign-ups"
    resources = "/programmes/resources/inspiring-test/cld-facilitation/"
    staff = client_for(cohort_facilitator).get("/programmes/inspiring-test/cld-facilitation/").content.decode()
    assert f'href="{sign_ups}"' in staff
    assert f'href="{resources}"' in staff
    learner = client_for(enrolled.learner).get("/programmes/inspiring-test/cld-facilitation/").content.decode()
    assert sign_ups not in learner
    assert resources not in learner


def test_the_sign_up_list_filters_by_name_or_email(
    upcoming: InformationSession, provider_admin: User, client_for: Callable
) -> None:
    pages.sign_up(upcoming, name="Aroha", email="aroha@example.org")
    pages.sign_up(upcoming, name="Ben", email="ben@council.example")
    text = (
        client_for(provider_admin)
        .get(f"/programmes/information-sessions/{upcoming.public_id}/sign-ups", {"q": "council"})
        .content.decode()
    )
    assert "ben@council.example" in text
    assert "aroha@example.org" not in text
    assert "2 signed up" in text


def test_a_visitor_signs_up_only_so_many_addresses_an_hour(
    upcoming: InformationSession, client: Client, monkeypatch: pytest.MonkeyPatch, committed: Callable[[], Any]
) -> None:
    monkeypatch.setattr("credo.programmes.views.pages.SIGN_UPS_PER_HOUR", 2)
    url = f"/programmes/information-sessions/{upcoming.public_id}/sign-up"
    with committed():
        for n in range(2):
            assert client.post(url, {"name": f"P{n}", "email": f"p{n}@example.org"}).status_code == 302
        refused = client.post(url, {"name": "Third", "email": "third@example.org"})
    assert refused.status_code == 429
    assert "wait an hour, or sign in" in refused.content.decode()
    assert InformationSessionSignUp.objects.count() == 2
    assert len(mail.outbox) == 2
