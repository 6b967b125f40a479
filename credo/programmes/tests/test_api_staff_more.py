"""The staff side of check-ins and support in the API: facilitators offer and withdraw times, staff cancel a
learner's booking, and the cohort's facilitators and admins read and answer support threads. Everyone else is
refused and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Programme, SupportMessage, SupportThread
from credo.programmes.services import checkins, support

from .builders import cohort_2024
from .checkins_builders import NOW, CheckIns, at, check_ins, confirmed_learner, facilitator_of

SignIn = Callable[[User | None], Client]
API = "/api/v1/programmes"
SLOT = {"day": "2024-04-15", "starts": "12:00", "ends": "12:45", "meeting_url": "https://meet.example/tui"}


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation, monkeypatch: pytest.MonkeyPatch) -> CheckIns:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return check_ins(cohort, provider_admin, provider)


@pytest.fixture
def other_cohort(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(provider_admin, programme, slug="2024b", name="2024 second intake")


def state() -> tuple[list[Any], list[Any], list[Any], int]:
    return (
        list(CheckInSlot.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        list(CheckInBooking.objects.order_by("pk").values_list("pk", "cancelled_at")),
        list(SupportMessage.objects.order_by("pk").values_list("pk", "body")),
        AuditEvent.objects.count(),
    )


# Offering and withdrawing times -----------------------------------------------------------------------------------


class TestSlots:
    def test_a_facilitator_offers_a_time_in_the_cohorts_zone(self, world: CheckIns, client_for: SignIn) -> None:
        response = post(client_for(world.facilitator), f"{API}/cohorts/{world.cohort.public_id}/check-in-slots", SLOT)
        assert response.status_code == 201, response.content
        body = response.json()
        slot = CheckInSlot.objects.get(pk=body["id"])
        assert (slot.starts_at, slot.ends_at, slot.facilitator) == (at(15, 12), at(15, 12, 45), world.facilitator)
        assert body["starts_in_cohort_zone"] == "Monday 15 April 2024, 12:00 PM (Pacific/Auckland)"
        assert (body["free"], body["withdrawn"], body["booking"]) == (True, False, None)

    def test_a_bad_time_is_refused_naming_each_problem(self, world: CheckIns, client_for: SignIn) -> None:
        response = post(
            client_for(world.facilitator),
            f"{API}/cohorts/{world.cohort.public_id}/check-in-slots",
            {**SLOT, "day": "2024-04-01", "ends": "11:00", "meeting_url": "meet.example"},
        )
        assert response.status_code == 422
        assert response.json()["problems"] == [
            "ends_at: The end must be after the start.",
            "starts_at: Offer a time in the future.",
            "meeting_url: Give the meeting link as a full web address, starting https://.",
        ]
        assert CheckInSlot.objects.count() == 3

    def test_a_programme_admin_is_told_only_facilitators_offer_times(self, world: CheckIns, client_for: SignIn) -> None:
        response = post(client_for(world.admin), f"{API}/cohorts/{world.cohort.public_id}/check-in-slots", SLOT)
        assert response.status_code == 403
        assert response.json()["detail"] == f"Only the facilitators of {world.cohort} offer check-in times for it."

    def test_the_facilitator_and_an_admin_withdraw_free_times(self, world: CheckIns, client_for: SignIn) -> None:
        for user, slot in ((world.facilitator, world.slots[0]), (world.admin, world.slots[1])):
            url = f"{API}/cohorts/{world.cohort.public_id}/check-in-slots/{slot.pk}/withdraw"
            response = post(client_for(user), url)
            assert response.status_code == 200
            assert (response.json()["withdrawn"], response.json()["free"]) == (True, False)
        again = post(
            client_for(world.admin),
            f"{API}/cohorts/{world.cohort.public_id}/check-in-slots/{world.slots[0].pk}/withdraw",
        )
        assert again.status_code == 422
        assert again.json()["detail"] == "This time is already withdrawn."

    def test_a_booked_time_is_not_withdrawn(self, world: CheckIns, client_for: SignIn) -> None:
        world.book(world.aroha, 0)
        url = f"{API}/cohorts/{world.cohort.public_id}/check-in-slots/{world.slots[0].pk}/withdraw"
        response = post(client_for(world.facilitator), url)
        assert response.status_code == 422
        assert response.json()["detail"].startswith("Someone has booked this time: cancel their booking first")

    def test_another_facilitator_of_the_cohort_does_not_withdraw_a_colleagues_time(
        self, world: CheckIns, provider: Organisation, client_for: SignIn
    ) -> None:
        colleague = facilitator_of(world.cohort, provider, "rangi@inspiring-test.example")
        url = f"{API}/cohorts/{world.cohort.public_id}/check-in-slots/{world.slots[0].pk}/withdraw"
        response = post(client_for(colleague), url)
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Only the facilitator who offered this time")
        assert CheckInSlot.objects.get(pk=world.slots[0].pk).withdrawn_at is None

    def test_a_slot_of_another_cohort_is_not_found(
        self, world: CheckIns, other_cohort: Cohort, provider: Organisation, client_for: SignIn
    ) -> None:
        theirs = facilitator_of(other_cohort, provider, "kahu@inspiring-test.example")
        other = checkins.publish_slot(
            actor=theirs, cohort=other_cohort, starts_at=at(20, 12), ends_at=at(20, 13), now=NOW
        )
        url = f"{API}/cohorts/{world.cohort.public_id}/check-in-slots/{other.pk}/withdraw"
        assert post(client_for(world.admin), url).status_code == 404
        assert CheckInSlot.objects.get(pk=other.pk).withdrawn_at is None


# Staff cancelling a booking ------------------------------------------------------------------------------------------


class TestStaffCancel:
    def test_the_facilitator_cancels_and_both_sides_are_emailed(
        self,
        world: CheckIns,
        client_for: SignIn,
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        booking = world.book(world.aroha, 0)
        url = f"{API}/cohorts/{world.cohort.public_id}/check-in-bookings/{booking.pk}/cancel"
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client_for(world.facilitator), url)
        assert response.status_code == 200
        assert response.json()["cancelled_at"] is not None
        cancelled = CheckInBooking.objects.get(pk=booking.pk)
        assert cancelled.cancelled_by == world.facilitator
        assert sorted(m.to[0] for m in mailoutbox) == ["aroha@example.org", "tui@inspiring-test.example"]
        assert all("cancelled by" in m.body for m in mailoutbox)

    def test_an_admin_cancels_inside_the_learners_notice_period_but_not_once_it_started(
        self, world: CheckIns, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first, second = world.book(world.aroha, 0), world.book(world.mere, 1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(10, 13))  # first started, second in 23 hours
        base = f"{API}/cohorts/{world.cohort.public_id}/check-in-bookings"
        started = post(client_for(world.admin), f"{base}/{first.pk}/cancel")
        assert started.status_code == 422
        assert started.json()["detail"] == "This check-in has started; it can no longer be cancelled."
        assert post(client_for(world.admin), f"{base}/{second.pk}/cancel").status_code == 200
        again = post(client_for(world.admin), f"{base}/{second.pk}/cancel")
        assert again.json()["detail"] == "This booking is already cancelled."


# Support threads from the staff side -----------------------------------------------------------------------------


class TestStaffSupport:
    def test_staff_list_threads_awaiting_an_answer_first(self, world: CheckIns, client_for: SignIn) -> None:
        answered = support.ask(world.aroha, actor=world.aroha.learner, body="First question")
        support.reply(answered.thread, actor=world.facilitator, body="An answer")
        waiting = support.ask(world.mere, actor=world.mere.learner, body="Still waiting")
        for user in (world.facilitator, world.admin):
            rows = client_for(user).get(f"{API}/cohorts/{world.cohort.public_id}/support-threads").json()
            assert [(r["id"], r["learner"], r["message_count"], r["awaiting_answer"]) for r in rows] == [
                (waiting.thread.pk, "mere@example.org", 1, True),
                (answered.thread.pk, "aroha@example.org", 2, False),
            ]

    def test_the_facilitator_reads_and_replies_and_the_learner_is_emailed(
        self,
        world: CheckIns,
        client_for: SignIn,
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        asked = support.ask(world.aroha, actor=world.aroha.learner, body="Can I use a 2023 hui?")
        url = f"{API}/cohorts/{world.cohort.public_id}/support-threads/{asked.thread.pk}"
        read = client_for(world.facilitator).get(url).json()
        assert [(m["body"], m["from_learner"]) for m in read["messages"]] == [("Can I use a 2023 hui?", True)]
        with django_capture_on_commit_callbacks(execute=True):
            replied = post(client_for(world.facilitator), f"{url}/messages", {"body": "Yes, any you facilitated."})
        assert replied.status_code == 201
        assert [(m["body"], m["from_learner"]) for m in replied.json()["messages"]] == [
            ("Can I use a 2023 hui?", True),
            ("Yes, any you facilitated.", False),
        ]
        assert [m.to for m in mailoutbox] == [["aroha@example.org"]]
        mine = client_for(world.aroha.learner).get(f"{API}/my/enrolments/{world.aroha.pk}/support-thread").json()
        assert mine["messages"][-1]["author"] == str(world.facilitator)

    def test_an_overlong_reply_is_refused_saying_how_long_it_may_be(self, world: CheckIns, client_for: SignIn) -> None:
        asked = support.ask(world.aroha, actor=world.aroha.learner, body="Question")
        url = f"{API}/cohorts/{world.cohort.public_id}/support-threads/{asked.thread.pk}/messages"
        response = post(client_for(world.admin), url, {"body": "x" * (support.MAX_BODY_LENGTH + 1)})
        assert response.status_code == 422
        assert response.json()["problems"] == ["body: Keep a message to 10,000 characters; this one has 10,001."]

    def test_a_thread_of_another_cohort_is_not_found_in_this_one(
        self, world: CheckIns, other_cohort: Cohort, client_for: SignIn
    ) -> None:
        elsewhere = confirmed_learner(other_cohort, world.admin, "rua@example.org")
        theirs = support.ask(elsewhere, actor=elsewhere.learner, body="Other cohort")
        url = f"{API}/cohorts/{world.cohort.public_id}/support-threads/{theirs.thread.pk}"
        assert client_for(world.admin).get(url).status_code == 404
        assert post(client_for(world.admin), f"{url}/messages", {"body": "Hi"}).status_code == 404


# Everyone else ---------------------------------------------------------------------------------------------------


def test_everyone_else_is_refused_and_nothing_changes(
    world: CheckIns, client_for: SignIn, request: pytest.FixtureRequest, other_cohort: Cohort, provider: Organisation
) -> None:
    booking = world.book(world.aroha, 0)
    asked = support.ask(world.aroha, actor=world.aroha.learner, body="Private question")
    cohort = world.cohort.public_id
    people: dict[str, tuple[User | None, int | set[int]]] = {
        # who: (user, the refusal they get)
        "anonymous": (None, 401),
        "outsider (an admin of another organisation)": (request.getfixturevalue("outsider"), 404),
        "a facilitator of another provider": (request.getfixturevalue("facilitator"), 404),
        "a learner of the cohort": (world.mere.learner, 404),
        "the learner who booked": (world.aroha.learner, 404),
        "a learner of another cohort": (confirmed_learner(other_cohort, world.admin, "rua@example.org").learner, 404),
        "a facilitator of another cohort": (facilitator_of(other_cohort, provider, "kahu@inspiring-test.example"), 403),
    }
    endpoints = {
        "publish": ("post", f"{API}/cohorts/{cohort}/check-in-slots", SLOT),
        "withdraw": ("post", f"{API}/cohorts/{cohort}/check-in-slots/{world.slots[1].pk}/withdraw", {}),
        "cancel": ("post", f"{API}/cohorts/{cohort}/check-in-bookings/{booking.pk}/cancel", {}),
        "threads": ("get", f"{API}/cohorts/{cohort}/support-threads", {}),
        "thread": ("get", f"{API}/cohorts/{cohort}/support-threads/{asked.thread.pk}", {}),
        "reply": ("post", f"{API}/cohorts/{cohort}/support-threads/{asked.thread.pk}/messages", {"body": "Hijack"}),
    }
    before = state()
    for who, (user, refusal) in people.items():
        client = client_for(user)
        for name, (method, url, body) in endpoints.items():
            response = client.get(url) if method == "get" else post(client, url, body)
            assert response.status_code == refusal, (who, name, response.status_code)
            assert b"Private question" not in response.content, (who, name)
    assert state() == before
    assert SupportThread.objects.count() == 1
