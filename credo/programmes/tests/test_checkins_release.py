"""A learner who leaves a cohort gives back the check-ins they had booked: the time is free again, the facilitator
and the learner are told, and nobody is reminded about a meeting that will not happen."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.programmes.models import CheckInBooking, Cohort, Programme
from credo.programmes.services import checkins, enrolments

from .builders import cohort_2024
from .checkins_builders import NOW, CheckIns, at, check_ins


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation) -> CheckIns:
    return check_ins(cohort, provider_admin, provider)


@pytest.fixture
def now_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def live_bookings() -> list[tuple[str, int]]:
    return sorted(
        (b.enrolment.learner.email, b.slot_id) for b in CheckInBooking.objects.filter(cancelled_at__isnull=True)
    )


@pytest.mark.usefixtures("now_is")
class TestLeavingReleasesCheckIns:
    @pytest.mark.parametrize("leave", ["withdraw", "lapse", "defer"])
    def test_every_way_of_leaving_frees_the_booked_times(
        self,
        world: CheckIns,
        programme: Programme,
        leave: str,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        world.book(world.aroha, 0)
        world.book(world.aroha, 1)
        world.book(world.mere, 2)
        if leave == "lapse":
            enrolments.activate(world.aroha, actor=world.admin)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            if leave == "defer":
                later = cohort_2024(world.admin, programme, slug="2025", name="2025 intake")
                enrolments.defer(world.aroha, actor=world.admin, to=later, reason="Bereavement")
            else:
                getattr(enrolments, leave)(world.aroha, actor=world.admin, reason="Left the community trust")

        assert live_bookings() == [("mere@example.org", world.slots[2].pk)]
        assert {slot.pk for slot in checkins.free_slots(world.cohort, now=NOW)} >= {
            world.slots[0].pk,
            world.slots[1].pk,
        }
        freed = [m for m in mail.outbox if m.subject.startswith("Check-in freed")]
        assert [m.to for m in freed] == [[world.facilitator.email]] * 2
        (told,) = [m for m in mail.outbox if m.subject.startswith("Your check-ins with")]
        assert told.to == ["aroha@example.org"]
        assert "these check-ins are cancelled" in told.body
        assert AuditEvent.objects.filter(action="programmes.check_in_cancelled").count() == 2

    def test_a_check_in_already_held_stays_on_the_record(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        held = world.book(world.aroha, 0)
        upcoming = world.book(world.aroha, 1)
        after_the_first = at(10, 15)
        monkeypatch.setattr("django.utils.timezone.now", lambda: after_the_first)

        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(world.aroha, actor=world.aroha.learner, reason="Moving overseas")

        held.refresh_from_db()
        upcoming.refresh_from_db()
        assert held.cancelled_at is None  # it happened; its notes belong to the record
        assert upcoming.cancelled_at == after_the_first

    def test_nobody_is_reminded_of_a_check_in_whose_learner_has_left(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = world.book(world.mere, 0)
        # A withdrawal recorded some other way than through the service must not leave a reminder behind either.
        type(world.mere).objects.filter(pk=world.mere.pk).update(state="withdrawn")
        with django_capture_on_commit_callbacks(execute=True):
            assert checkins.send_reminders(now=at(9, 13)) == 0
        booking.refresh_from_db()
        assert booking.reminder_sent_at is None
