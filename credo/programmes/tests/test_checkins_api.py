"""The check-in endpoints: members list times; learners book, move and cancel their own; staff keep notes;
everyone else is refused and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Programme
from credo.programmes.services import checkins

from .builders import cohort_2024
from .checkins_builders import NOW, CheckIns, at, check_ins, confirmed_learner, facilitator_of

SignIn = Callable[[User | None], Client]
API = "/api/v1/programmes"


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation, monkeypatch: pytest.MonkeyPatch) -> CheckIns:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return check_ins(cohort, provider_admin, provider)


@pytest.fixture
def other_cohort(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(provider_admin, programme, slug="2024b", name="2024 second intake")


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def state() -> tuple[list[Any], list[Any], int]:
    return (
        list(CheckInSlot.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        list(CheckInBooking.objects.order_by("pk").values_list("pk", "slot_id", "cancelled_at", "notes")),
        AuditEvent.objects.count(),
    )


class TestListing:
    def test_a_learner_sees_free_times_and_their_own_never_who_booked_the_rest(
        self, world: CheckIns, client_for: SignIn
    ) -> None:
        mine = world.book(world.aroha, 0)
        world.book(world.mere, 1)
        response = client_for(world.aroha.learner).get(f"{API}/cohorts/{world.cohort.public_id}/check-in-slots")
        assert response.status_code == 200
        rows = response.json()
        assert [(r["id"], r["free"], r["booking"] and r["booking"]["id"]) for r in rows] == [
            (world.slots[0].pk, False, mine.pk),
            (world.slots[2].pk, True, None),
        ]
        assert rows[0]["starts_in_cohort_zone"] == "Wednesday 10 April 2024, 12:00 PM (Pacific/Auckland)"
        assert "mere@example.org" not in response.content.decode()

    def test_staff_see_every_time_with_its_booking(self, world: CheckIns, client_for: SignIn) -> None:
        world.book(world.mere, 1)
        for user in (world.facilitator, world.admin):
            rows = client_for(user).get(f"{API}/cohorts/{world.cohort.public_id}/check-in-slots").json()
            assert [r["booking"] and r["booking"]["learner"] for r in rows] == [None, "mere@example.org", None]


class TestLearnerWrites:
    def test_book_move_and_cancel(self, world: CheckIns, client_for: SignIn) -> None:
        client = client_for(world.aroha.learner)
        booked = send(client, "post", f"{API}/check-in-slots/{world.slots[0].pk}/booking")
        assert booked.status_code == 201
        assert booked.json()["slot"] == world.slots[0].pk
        moved = send(
            client, "post", f"{API}/check-in-bookings/{booked.json()['id']}/reschedule", {"slot": world.slots[1].pk}
        )
        assert moved.status_code == 201
        assert moved.json()["slot"] == world.slots[1].pk
        cancelled = send(client, "post", f"{API}/check-in-bookings/{moved.json()['id']}/cancel")
        assert cancelled.status_code == 200
        assert cancelled.json()["cancelled_at"] is not None
        assert not CheckInBooking.objects.filter(cancelled_at__isnull=True).exists()

    def test_a_taken_time_and_a_late_cancellation_are_422_saying_why(
        self, world: CheckIns, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world.book(world.mere, 0)
        client = client_for(world.aroha.learner)
        taken = send(client, "post", f"{API}/check-in-slots/{world.slots[0].pk}/booking")
        assert taken.status_code == 422
        assert taken.json()["problems"] == [f"slot: {checkins.SLOT_TAKEN}"]
        mine = world.book(world.aroha, 1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(10, 13))
        late = send(client, "post", f"{API}/check-in-bookings/{mine.pk}/cancel")
        assert late.status_code == 422
        assert "up to 24 hours before they start" in late.json()["detail"]
        assert CheckInBooking.objects.get(pk=mine.pk).cancelled_at is None


class TestNotes:
    def test_staff_write_and_read_notes_after_the_meeting(
        self, world: CheckIns, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        booking = world.book(world.aroha, 0)
        url = f"{API}/check-in-bookings/{booking.pk}/notes"
        early = send(client_for(world.facilitator), "put", url, {"notes": "x"})
        assert early.status_code == 422
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(10, 13))
        written = send(client_for(world.facilitator), "put", url, {"notes": "Chose the case study."})
        assert written.status_code == 200
        assert client_for(world.admin).get(url).json()["notes"] == "Chose the case study."


class TestRefusals:
    def test_everyone_else_is_refused_and_nothing_changes(
        self, world: CheckIns, client_for: SignIn, request: Any, other_cohort: Cohort, provider: Organisation
    ) -> None:
        booking = world.book(world.aroha, 0)
        checkins.write_notes(booking, actor=world.facilitator, notes="Private words", now=at(10, 13))
        people: dict[str, tuple[User | None, set[str]]] = {
            # who: (user, the endpoints they may reach: none of these touch them)
            "anonymous": (None, set()),
            "outsider": (request.getfixturevalue("outsider"), set()),
            "centre facilitator": (request.getfixturevalue("facilitator"), set()),
            "learner of another cohort": (
                confirmed_learner(other_cohort, world.admin, "rua@example.org").learner,
                set(),
            ),
            "facilitator of another cohort": (
                facilitator_of(other_cohort, provider, "kahu@inspiring-test.example"),
                set(),
            ),
            "another learner of the cohort": (world.mere.learner, {"list", "book"}),
            "the learner herself": (world.aroha.learner, {"list", "book", "reschedule", "cancel"}),
            "the cohort's facilitator": (world.facilitator, {"list", "notes-read", "notes-write"}),
        }
        endpoints = {
            "list": ("get", f"{API}/cohorts/{world.cohort.public_id}/check-in-slots", {}),
            "book": ("post", f"{API}/check-in-slots/{world.slots[1].pk}/booking", {}),
            "reschedule": ("post", f"{API}/check-in-bookings/{booking.pk}/reschedule", {"slot": world.slots[2].pk}),
            "cancel": ("post", f"{API}/check-in-bookings/{booking.pk}/cancel", {}),
            "notes-read": ("get", f"{API}/check-in-bookings/{booking.pk}/notes", {}),
            "notes-write": ("put", f"{API}/check-in-bookings/{booking.pk}/notes", {"notes": "Overwritten"}),
        }
        before = state()
        for who, (user, allowed) in people.items():
            client = client_for(user)
            for name, (method, url, body) in endpoints.items():
                if name in allowed:
                    continue
                response = send(client, method, url, body)
                expected = {401} if user is None else {403, 404}
                assert response.status_code in expected, (who, name, response.status_code)
                assert b"Private words" not in response.content, (who, name)
        assert state() == before
        reading = client_for(world.aroha.learner).get(f"{API}/cohorts/{world.cohort.public_id}/check-in-slots")
        assert b"Private words" not in reading.content
