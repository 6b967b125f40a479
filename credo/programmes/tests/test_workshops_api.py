"""The sessions API: reading for the cohort, writing for admins, attendance for facilitators; everyone else refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Attendance, Enrolment, Session

from .builders import nz
from .workshops_builders import REFUSED, SEED_WORKSHOPS, ZOOM, person

# The shared workshop fixtures (session, enrolled, cohort_facilitator, the refused people).
pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

API = "/api/v1/programmes"
JSON = "application/json"
Clients = Callable[[User | None], Client]
NEW = {"number": 2, "topic": "Unpacking the tasks", "day": "2024-05-22", "starts": "12:00", "ends": "13:30",
       "meeting_url": ZOOM}  # fmt: skip
CHANGE = {name: value for name, value in NEW.items() if name != "number"}


@pytest.fixture
def after_workshop_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 4, 3, 14))


def test_a_learner_lists_the_sessions_with_utc_moments_and_the_cohorts_time(
    client_for: Clients, session: Session, enrolled: Enrolment
) -> None:
    response = client_for(enrolled.learner).get(f"{API}/cohorts/{session.cohort.public_id}/sessions")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["id"] == str(session.public_id)
    assert datetime.datetime.fromisoformat(row["starts_at"]) == datetime.datetime(2024, 4, 2, 23, tzinfo=datetime.UTC)
    assert row["when"] == "Wednesday 3 April, 12:00\u201313:30 NZDT"
    assert row["meeting_url"] == ZOOM
    assert row["ics"].endswith(f"/programmes/sessions/{session.public_id}.ics")
    assert client_for(enrolled.learner).get(f"{API}/sessions/{session.public_id}").json()["number"] == 1


def test_an_admin_adds_changes_and_cancels(client_for: Clients, session: Session, provider_admin: User) -> None:
    client = client_for(provider_admin)
    added = client.post(f"{API}/cohorts/{session.cohort.public_id}/sessions", NEW, content_type=JSON)
    assert added.status_code == 201
    assert datetime.datetime.fromisoformat(added.json()["starts_at"]) == datetime.datetime(
        2024, 5, 22, 0, tzinfo=datetime.UTC
    )
    moved = client.put(f"{API}/sessions/{session.public_id}", {**CHANGE, "day": "2024-04-10"}, content_type=JSON)
    assert moved.status_code == 200, moved.json()
    assert moved.json()["sequence"] == 1
    cancelled = client.post(f"{API}/sessions/{session.public_id}/cancel", {"reason": "Storm"}, content_type=JSON)
    assert cancelled.json()["cancel_reason"] == "Storm"


def test_bad_input_is_a_422_naming_the_field(client_for: Clients, session: Session, provider_admin: User) -> None:
    response = client_for(provider_admin).post(
        f"{API}/cohorts/{session.cohort.public_id}/sessions", {**NEW, "number": 1}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["problems"] == ["number: This cohort already has a session 1; choose another number."]


def test_the_facilitator_records_attendance(
    client_for: Clients, session: Session, enrolled: Enrolment, cohort_facilitator: User, after_workshop_1: None
) -> None:
    client = client_for(cohort_facilitator)
    url = f"{API}/sessions/{session.public_id}/attendance"
    assert client.get(url).json() == [{"enrolment": enrolled.pk, "learner": "mere@example.org", "present": None}]
    response = client.put(url, {"present": {str(enrolled.pk): True}}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()[0]["present"] is True


def test_a_write_without_the_csrf_token_is_refused(session: Session, provider_admin: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_admin)
    response = client.post(f"{API}/sessions/{session.public_id}/cancel", {"reason": "x"}, content_type=JSON)
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.cancelled_at is None


@pytest.mark.parametrize("who", [*REFUSED, "cohort_facilitator", "enrolled_learner"])
def test_others_cannot_write_sessions_or_attendance(
    request: pytest.FixtureRequest,
    client_for: Clients,
    session: Session,
    enrolled: Enrolment,
    who: str,
    after_workshop_1: None,
) -> None:
    actor = enrolled.learner if who == "enrolled_learner" else person(request, who)
    client = client_for(actor)
    writes = [
        client.post(f"{API}/cohorts/{session.cohort.public_id}/sessions", NEW, content_type=JSON),
        client.put(f"{API}/sessions/{session.public_id}", {**CHANGE, "topic": "Hijacked"}, content_type=JSON),
        client.post(f"{API}/sessions/{session.public_id}/cancel", {"reason": "Hijacked"}, content_type=JSON),
    ]
    if who != "cohort_facilitator":
        writes.append(
            client.put(
                f"{API}/sessions/{session.public_id}/attendance",
                {"present": {str(enrolled.pk): True}},
                content_type=JSON,
            )
        )
    assert {response.status_code for response in writes} <= {401, 403, 404}
    session.refresh_from_db()
    assert (session.topic, session.sequence, session.cancelled_at) == (SEED_WORKSHOPS[0][2], 0, None)
    assert Session.objects.count() == 1
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=["programmes.session_changed", "programmes.session_cancelled", "programmes.attendance_recorded"]
    ).exists()


@pytest.mark.parametrize("who", REFUSED)
def test_others_cannot_read_sessions(
    request: pytest.FixtureRequest, client_for: Clients, session: Session, who: str
) -> None:
    client = client_for(person(request, who))
    for url in [
        f"{API}/cohorts/{session.cohort.public_id}/sessions",
        f"{API}/sessions/{session.public_id}",
        f"{API}/sessions/{session.public_id}/attendance",
    ]:
        response: Any = client.get(url)
        assert response.status_code in (401, 403, 404)
        assert ZOOM not in response.content.decode()
