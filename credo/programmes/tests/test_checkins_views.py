"""The check-in pages: learners book, move and cancel their own; the cohort's staff offer times and keep notes;
everyone else is refused and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Programme
from credo.programmes.services import checkins, enrolments

from .builders import cohort_2024
from .checkins_builders import NOW, REGISTERED, CheckIns, at, check_ins, confirmed_learner, facilitator_of, slot

SignIn = Callable[[User | None], Client]


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation, monkeypatch: pytest.MonkeyPatch) -> CheckIns:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return check_ins(cohort, provider_admin, provider)


@pytest.fixture
def other_cohort(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(provider_admin, programme, slug="2024b", name="2024 second intake")


def learner_pages(world: CheckIns, booking: CheckInBooking) -> list[tuple[str, str]]:
    mine = f"/programmes/my/{world.aroha.pk}/check-ins"
    return [
        ("get", f"{mine}/"),
        ("post", f"{mine}/book"),
        ("post", f"{mine}/{booking.pk}/reschedule"),
        ("post", f"{mine}/{booking.pk}/cancel"),
    ]


def staff_pages(world: CheckIns, booking: CheckInBooking) -> list[tuple[str, str]]:
    base = f"/programmes/cohorts/{world.cohort.public_id}/check-ins"
    return [
        ("get", f"{base}/"),
        ("post", f"{base}/"),
        ("post", f"{base}/slots/{world.slots[2].pk}/withdraw"),
        ("post", f"{base}/{booking.pk}/cancel"),
        ("get", f"{base}/{booking.pk}/notes"),
        ("post", f"{base}/{booking.pk}/notes"),
    ]


def state() -> tuple[list[Any], list[Any], int]:
    return (
        list(CheckInSlot.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        list(CheckInBooking.objects.order_by("pk").values_list("pk", "slot_id", "cancelled_at", "notes")),
        AuditEvent.objects.count(),
    )


POSTED = {
    "slot": "0",
    "day": "2024-04-20",
    "starts_at": "12:00",
    "ends_at": "12:45",
    "meeting_url": "https://meet.example/x",
    "notes": "Sneaky",
}


def outsiders(world: CheckIns, request: Any, other_cohort: Cohort, provider: Organisation) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "outsider": request.getfixturevalue("outsider"),
        "centre facilitator": request.getfixturevalue("facilitator"),
        "learner of another cohort": confirmed_learner(other_cohort, world.admin, "rua@example.org").learner,
        "facilitator of another cohort": facilitator_of(other_cohort, provider, "kahu@inspiring-test.example"),
    }


class TestRefusals:
    def test_nobody_but_the_learner_reaches_their_check_ins(
        self, world: CheckIns, client_for: SignIn, request: Any, other_cohort: Cohort, provider: Organisation
    ) -> None:
        booking = world.book(world.aroha, 0)
        people = outsiders(world, request, other_cohort, provider)
        people |= {"another learner of the cohort": world.mere.learner, "the cohort's facilitator": world.facilitator}
        before = state()
        for who, user in people.items():
            client = client_for(user)
            for method, url in learner_pages(world, booking):
                response = getattr(client, method)(url, POSTED | {"slot": str(world.slots[1].pk)})
                expected = 302 if user is None else 404
                assert response.status_code == expected, (who, url)
                if user is None:
                    assert response["Location"].startswith("/accounts/login/") or "login" in response["Location"]
        assert state() == before

    def test_a_learner_cannot_reach_anothers_booking_through_their_own_enrolment(
        self, world: CheckIns, client_for: SignIn
    ) -> None:
        hers = world.book(world.aroha, 0)
        before = state()
        client = client_for(world.mere.learner)
        mine = f"/programmes/my/{world.mere.pk}/check-ins"
        assert client.post(f"{mine}/{hers.pk}/cancel").status_code == 404
        assert client.post(f"{mine}/{hers.pk}/reschedule", {"slot": world.slots[1].pk}).status_code == 404
        assert state() == before

    def test_a_learner_cannot_book_a_slot_of_another_cohort(
        self, world: CheckIns, client_for: SignIn, other_cohort: Cohort, provider: Organisation
    ) -> None:
        elsewhere = slot(other_cohort, facilitator_of(other_cohort, provider, "kahu@inspiring-test.example"), 20)
        before = state()
        response = client_for(world.aroha.learner).post(
            f"/programmes/my/{world.aroha.pk}/check-ins/book", {"slot": elsewhere.pk}
        )
        assert response.status_code == 404
        assert state() == before

    def test_nobody_but_the_cohorts_staff_reaches_its_slots_and_notes(
        self, world: CheckIns, client_for: SignIn, request: Any, other_cohort: Cohort, provider: Organisation
    ) -> None:
        booking = world.book(world.aroha, 0)
        people = outsiders(world, request, other_cohort, provider) | {"the learner": world.aroha.learner}
        before = state()
        for who, user in people.items():
            client = client_for(user)
            for method, url in staff_pages(world, booking):
                response = getattr(client, method)(url, POSTED)
                if user is None:
                    assert response.status_code == 302, (who, url)
                elif who == "facilitator of another cohort":
                    # A member of the provider learns the cohort exists, but not what is in it.
                    assert response.status_code == 403, (who, url)
                else:
                    assert response.status_code == 404, (who, url)
                assert b"Sneaky" not in response.content
        assert state() == before


class TestLearnerPage:
    def test_free_times_show_in_the_cohort_zone_and_the_learners_own(self, world: CheckIns, client_for: SignIn) -> None:
        response = client_for(world.aroha.learner).get(f"/programmes/my/{world.aroha.pk}/check-ins/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Wednesday 10 April 2024, 12:00 PM (Pacific/Auckland)" in page
        assert "Your time: Wednesday 10 April 2024, 1:00 AM (Europe/London)" in page
        assert "You can book 2 check-ins" in page

    def test_a_learner_books_moves_and_cancels(self, world: CheckIns, client_for: SignIn) -> None:
        client = client_for(world.aroha.learner)
        mine = f"/programmes/my/{world.aroha.pk}/check-ins"
        response = client.post(f"{mine}/book", {"slot": world.slots[0].pk}, follow=True)
        assert "Booked: Wednesday 10 April 2024" in response.content.decode()
        booking = CheckInBooking.objects.get(cancelled_at__isnull=True)
        response = client.post(f"{mine}/{booking.pk}/reschedule", {"slot": world.slots[1].pk}, follow=True)
        assert "Moved to Thursday 11 April 2024" in response.content.decode()
        moved = CheckInBooking.objects.get(cancelled_at__isnull=True)
        assert moved.slot == world.slots[1]
        response = client.post(f"{mine}/{moved.pk}/cancel", follow=True)
        assert "Check-in cancelled" in response.content.decode()
        assert not CheckInBooking.objects.filter(cancelled_at__isnull=True).exists()

    def test_a_refusal_is_explained_on_the_page(self, world: CheckIns, client_for: SignIn) -> None:
        world.book(world.mere, 0)
        client = client_for(world.aroha.learner)
        response = client.post(
            f"/programmes/my/{world.aroha.pk}/check-ins/book", {"slot": world.slots[0].pk}, follow=True
        )
        assert "Someone else has just booked this time" in response.content.decode()
        response = client.post(f"/programmes/my/{world.aroha.pk}/check-ins/book", {"slot": "x"}, follow=True)
        assert "Choose one of the free times." in response.content.decode()
        assert not CheckInBooking.objects.filter(enrolment=world.aroha).exists()

    def test_the_learner_never_sees_the_facilitators_notes(self, world: CheckIns, client_for: SignIn) -> None:
        booking = world.book(world.aroha, 0)
        checkins.write_notes(booking, actor=world.facilitator, notes="Private: struggling with reflection", now=at(11))
        response = client_for(world.aroha.learner).get(f"/programmes/my/{world.aroha.pk}/check-ins/")
        assert response.status_code == 200
        assert b"Private: struggling" not in response.content
        notes_page = f"/programmes/cohorts/{world.cohort.public_id}/check-ins/{booking.pk}/notes"
        assert client_for(world.aroha.learner).get(notes_page).status_code == 404


class TestStaffPage:
    def test_a_facilitator_offers_a_time_in_the_cohort_zone(self, world: CheckIns, client_for: SignIn) -> None:
        response = client_for(world.facilitator).post(
            f"/programmes/cohorts/{world.cohort.public_id}/check-ins/",
            {"day": "2024-04-20", "starts_at": "12:00", "ends_at": "12:45", "meeting_url": "https://meet.example/x"},
            follow=True,
        )
        assert "Offered: Saturday 20 April 2024, 12:00 PM (Pacific/Auckland)" in response.content.decode()
        assert CheckInSlot.objects.latest("pk").starts_at == at(20, 12)

    def test_the_form_names_the_zone_its_times_are_read_in(self, world: CheckIns, client_for: SignIn) -> None:
        page = client_for(world.facilitator).get(f"/programmes/cohorts/{world.cohort.public_id}/check-ins/")
        assert "The day and times are in the cohort&#x27;s time zone: Auckland, New Zealand." in page.content.decode()

    def test_a_bad_time_is_explained(self, world: CheckIns, client_for: SignIn) -> None:
        response = client_for(world.facilitator).post(
            f"/programmes/cohorts/{world.cohort.public_id}/check-ins/",
            {"day": "2024-04-20", "starts_at": "13:00", "ends_at": "12:00"},
        )
        assert response.status_code == 200
        assert "The end must be after the start." in response.content.decode()
        assert CheckInSlot.objects.count() == 3

    def test_staff_see_bookings_withdraw_free_times_and_keep_notes(
        self, world: CheckIns, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        booking = world.book(world.aroha, 0)
        base = f"/programmes/cohorts/{world.cohort.public_id}/check-ins"
        admin = client_for(world.admin)
        page = admin.get(f"{base}/").content.decode()
        assert "aroha@example.org" in page
        assert "Offer a time" not in page  # admins see and manage; facilitators offer their own times
        client = client_for(world.facilitator)
        client.post(f"{base}/slots/{world.slots[2].pk}/withdraw")
        assert CheckInSlot.objects.get(pk=world.slots[2].pk).withdrawn_at == NOW
        early = client.post(f"{base}/{booking.pk}/notes", {"notes": "Too soon"})
        assert "has not started yet" in early.content.decode()
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(10, 13))
        client.post(f"{base}/{booking.pk}/notes", {"notes": "Chose the case study."})
        assert CheckInBooking.objects.get(pk=booking.pk).notes == "Chose the case study."
        assert "Chose the case study." in admin.get(f"{base}/{booking.pk}/notes").content.decode()

    def test_the_facilitator_cancels_a_booking(self, world: CheckIns, client_for: SignIn) -> None:
        booking = world.book(world.aroha, 0)
        base = f"/programmes/cohorts/{world.cohort.public_id}/check-ins"
        response = client_for(world.facilitator).post(f"{base}/{booking.pk}/cancel", follow=True)
        assert "aroha@example.org has been told" in response.content.decode()
        assert CheckInBooking.objects.get(pk=booking.pk).cancelled_by == world.facilitator


def test_a_learner_not_yet_confirmed_is_told_when_check_ins_open(client_for: SignIn, world: CheckIns) -> None:
    applicant = UserFactory(email="hine@example.org")
    applied = enrolments.register(
        cohort=world.cohort,
        learner=applicant,
        organisation_name="Trust",
        organisation_type="community",
        terms_accepted=True,
        now=REGISTERED,
    )
    page = client_for(applicant).get(f"/programmes/my/{applied.pk}/check-ins/").content.decode()
    invoice = applied.invoices.get()
    assert (
        "Check-ins open once your place is confirmed. Where you are now: Registered: invoice to pay by "
        f"{invoice.due_on.day} {invoice.due_on:%B %Y}." in page
    )
    assert "applied" not in page
    assert "Book this time" not in page
