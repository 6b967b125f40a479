"""Check-in slots and bookings: offered by facilitators, booked within the allowance, never twice, moved and
cancelled within the notice rule, with private notes and one reminder each."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort
from credo.programmes.services import checkins, enrolments
from credo.programmes.tasks import send_check_in_reminders

from .builders import cohort_2024
from .checkins_builders import NOW, REGISTERED, CheckIns, at, check_ins, confirmed_learner, facilitator_of


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation) -> CheckIns:
    return check_ins(cohort, provider_admin, provider)


def live(world: CheckIns) -> list[tuple[str, int]]:
    return sorted(
        (b.enrolment.learner.email, b.slot_id) for b in CheckInBooking.objects.filter(cancelled_at__isnull=True)
    )


class TestPublishingSlots:
    def test_a_facilitator_offers_a_time_in_the_cohort_zone(self, world: CheckIns) -> None:
        offered = world.slots[0]
        assert offered.facilitator == world.facilitator
        assert (
            checkins.when(offered.starts_at, "Pacific/Auckland")
            == "Wednesday 10 April 2024, 12:00 PM (Pacific/Auckland)"
        )
        assert AuditEvent.objects.filter(action="programmes.check_in_slot_published").count() == 3

    @pytest.mark.parametrize("who", ["provider_admin", "outsider", "learner", "facilitator"])
    def test_only_the_cohorts_facilitators_offer_times(self, world: CheckIns, who: str, request: Any) -> None:
        with pytest.raises(PermissionDenied):
            checkins.publish_slot(
                actor=request.getfixturevalue(who), cohort=world.cohort, starts_at=at(20), ends_at=at(20, 13), now=NOW
            )
        assert CheckInSlot.objects.count() == 3

    @pytest.mark.parametrize(
        ("starts_at", "ends_at", "field", "message"),
        [
            (at(20, 13), at(20, 12), "ends_at", "The end must be after the start."),
            (at(20, 9), at(20, 12, 1), "ends_at", "A check-in lasts at most 3 hours"),
            (at(2, 12), at(2, 13), "starts_at", "Offer a time in the future."),
            (at(10, 12, 30), at(10, 13, 30), "starts_at", "You already offer a time then: Wednesday 10 April 2024"),
            (at(20, 12), at(20, 13), "meeting_url", "Give the meeting link as a full web address"),
        ],
    )
    def test_a_bad_time_is_refused_saying_what_to_fix(
        self, world: CheckIns, starts_at: datetime.datetime, ends_at: datetime.datetime, field: str, message: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            checkins.publish_slot(
                actor=world.facilitator,
                cohort=world.cohort,
                starts_at=starts_at,
                ends_at=ends_at,
                meeting_url="meet me in the usual place" if field == "meeting_url" else "",
                now=NOW,
            )
        assert refused.value.message_dict[field][0].startswith(message)
        assert CheckInSlot.objects.count() == 3

    def test_an_unbooked_time_can_be_withdrawn_and_is_no_longer_free(self, world: CheckIns) -> None:
        checkins.withdraw_slot(world.slots[0], actor=world.facilitator, now=NOW)
        assert checkins.free_slots(world.cohort, now=NOW) == world.slots[1:]

    def test_a_booked_time_cannot_be_withdrawn(self, world: CheckIns) -> None:
        world.book(world.aroha, 0)
        with pytest.raises(ValidationError, match="cancel their booking first"):
            checkins.withdraw_slot(world.slots[0], actor=world.facilitator, now=NOW)
        assert CheckInSlot.objects.get(pk=world.slots[0].pk).withdrawn_at is None

    def test_another_facilitator_cannot_withdraw_a_time(self, world: CheckIns, provider: Organisation) -> None:
        other = facilitator_of(world.cohort, provider, "other@inspiring-test.example")
        with pytest.raises(PermissionDenied):
            checkins.withdraw_slot(world.slots[0], actor=other, now=NOW)
        assert CheckInSlot.objects.get(pk=world.slots[0].pk).withdrawn_at is None


class TestBooking:
    def test_a_confirmed_learner_books_and_both_sides_are_emailed(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            booking = world.book(world.aroha, 0)
        assert booking.slot == world.slots[0]
        assert sorted(m.to[0] for m in mail.outbox) == ["aroha@example.org", "tui@inspiring-test.example"]
        to_aroha = next(m for m in mail.outbox if m.to == ["aroha@example.org"])
        assert "When: Wednesday 10 April 2024, 12:00 PM (Pacific/Auckland)" in to_aroha.body
        assert "Your time: Wednesday 10 April 2024, 1:00 AM (Europe/London)" in to_aroha.body
        assert "https://meet.example/kiaora" in to_aroha.body
        assert AuditEvent.objects.filter(action="programmes.check_in_booked").count() == 1
        assert checkins.free_slots(world.cohort, now=NOW) == world.slots[1:]

    def test_a_booked_slot_cannot_be_booked_again(self, world: CheckIns) -> None:
        world.book(world.aroha, 0)
        with pytest.raises(ValidationError, match="Someone else has just booked this time"):
            world.book(world.mere, 0)
        assert live(world) == [("aroha@example.org", world.slots[0].pk)]

    def test_the_allowance_of_two_is_kept_and_a_cancelled_booking_does_not_count(self, world: CheckIns) -> None:
        world.book(world.aroha, 0)
        second = world.book(world.aroha, 1)
        with pytest.raises(ValidationError, match="You have booked all 2 of your check-ins"):
            world.book(world.aroha, 2)
        checkins.cancel(second, actor=world.aroha.learner, now=NOW)
        world.book(world.aroha, 2)
        assert [slot for _, slot in live(world)] == [world.slots[0].pk, world.slots[2].pk]

    def test_a_learner_not_yet_confirmed_cannot_book(self, world: CheckIns) -> None:
        applicant = UserFactory(email="hine@example.org")
        applied = enrolments.register(
            cohort=world.cohort,
            learner=applicant,
            organisation_name="Trust",
            organisation_type="community",
            terms_accepted=True,
            now=REGISTERED,
        )
        with pytest.raises(ValidationError, match="check-ins are for confirmed learners"):
            checkins.book(enrolment=applied, slot=world.slots[0], actor=applicant, now=NOW)
        assert live(world) == []

    def test_a_slot_of_another_cohort_or_withdrawn_or_past_is_refused(
        self, world: CheckIns, provider_admin: User, programme: Any, provider: Organisation
    ) -> None:
        other_cohort = cohort_2024(provider_admin, programme, slug="2024b", name="2024 second intake")
        elsewhere = checkins.publish_slot(
            actor=facilitator_of(other_cohort, provider, "x@inspiring-test.example"),
            cohort=other_cohort,
            starts_at=at(20),
            ends_at=at(20, 13),
            now=NOW,
        )
        with pytest.raises(ValidationError, match="offered to another cohort"):
            checkins.book(enrolment=world.aroha, slot=elsewhere, actor=world.aroha.learner, now=NOW)
        checkins.withdraw_slot(world.slots[0], actor=world.facilitator, now=NOW)
        with pytest.raises(ValidationError, match="no longer offered"):
            world.book(world.aroha, 0)
        with pytest.raises(ValidationError, match="That time has passed"):
            world.book(world.aroha, 1, now=at(11, 12))
        assert live(world) == []

    def test_nobody_books_for_someone_else(self, world: CheckIns) -> None:
        with pytest.raises(PermissionDenied):
            checkins.book(enrolment=world.aroha, slot=world.slots[0], actor=world.mere.learner, now=NOW)
        with pytest.raises(PermissionDenied):
            checkins.book(enrolment=world.aroha, slot=world.slots[0], actor=world.facilitator, now=NOW)
        assert live(world) == []


class TestReschedulingAndCancelling:
    def test_a_booking_moves_to_a_free_time_in_one_step(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = world.book(world.aroha, 0)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            moved = checkins.reschedule(booking, to=world.slots[1], actor=world.aroha.learner, now=NOW)
        assert live(world) == [("aroha@example.org", world.slots[1].pk)]
        assert CheckInBooking.objects.get(pk=booking.pk).cancelled_by == world.aroha.learner
        assert moved.slot == world.slots[1]
        assert len(mail.outbox) == 2
        assert "has moved to this time" in mail.outbox[0].body

    def test_moving_to_a_taken_time_changes_nothing(self, world: CheckIns) -> None:
        mine = world.book(world.aroha, 0)
        world.book(world.mere, 1)
        with pytest.raises(ValidationError, match="Someone else has just booked this time"):
            checkins.reschedule(mine, to=world.slots[1], actor=world.aroha.learner, now=NOW)
        assert live(world) == [("aroha@example.org", world.slots[0].pk), ("mere@example.org", world.slots[1].pk)]

    def test_learners_may_change_a_booking_until_exactly_24_hours_before(self, world: CheckIns) -> None:
        booking = world.book(world.aroha, 0)
        edge = world.slots[0].starts_at - checkins.change_notice(world.cohort)
        with pytest.raises(ValidationError, match="up to 24 hours before they start"):
            checkins.cancel(booking, actor=world.aroha.learner, now=edge + datetime.timedelta(seconds=1))
        with pytest.raises(ValidationError, match="up to 24 hours before they start"):
            checkins.reschedule(
                booking, to=world.slots[2], actor=world.aroha.learner, now=edge + datetime.timedelta(seconds=1)
            )
        assert live(world) == [("aroha@example.org", world.slots[0].pk)]
        checkins.reschedule(booking, to=world.slots[2], actor=world.aroha.learner, now=edge)
        assert live(world) == [("aroha@example.org", world.slots[2].pk)]

    def test_each_cohort_sets_its_own_notice(self, world: CheckIns) -> None:
        booking = world.book(world.aroha, 0)
        type(world.cohort).objects.filter(pk=world.cohort.pk).update(check_in_notice_hours=48)
        booking.refresh_from_db()
        two_days_before = world.slots[0].starts_at - datetime.timedelta(hours=48)
        with pytest.raises(ValidationError, match="up to 48 hours before they start"):
            checkins.cancel(booking, actor=world.aroha.learner, now=two_days_before + datetime.timedelta(minutes=1))
        assert checkins.cancel(booking, actor=world.aroha.learner, now=two_days_before).cancelled_at is not None

    def test_the_facilitator_may_cancel_later_and_both_are_told(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = world.book(world.aroha, 0)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            checkins.cancel(booking, actor=world.facilitator, now=at(10, 11))
        assert live(world) == []
        assert {m.to[0] for m in mail.outbox} == {"aroha@example.org", "tui@inspiring-test.example"}
        assert "cancelled by" in mail.outbox[0].body
        with pytest.raises(ValidationError, match="already cancelled"):
            checkins.cancel(booking, actor=world.aroha.learner, now=NOW)

    @pytest.mark.parametrize("who", ["other_learner", "outsider", "facilitator"])
    def test_nobody_else_cancels_a_booking(self, world: CheckIns, who: str, request: Any) -> None:
        booking = world.book(world.aroha, 0)
        actor = world.mere.learner if who == "other_learner" else request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            checkins.cancel(booking, actor=actor, now=NOW)
        with pytest.raises(PermissionDenied):
            checkins.reschedule(booking, to=world.slots[1], actor=actor, now=NOW)
        assert live(world) == [("aroha@example.org", world.slots[0].pk)]


class TestNotes:
    def test_the_facilitator_keeps_notes_after_the_meeting_starts(self, world: CheckIns) -> None:
        booking = world.book(world.aroha, 0)
        with pytest.raises(ValidationError, match="has not started yet"):
            checkins.write_notes(booking, actor=world.facilitator, notes="Early", now=NOW)
        checkins.write_notes(booking, actor=world.facilitator, notes="  Case study chosen.  ", now=at(10, 13))
        saved = CheckInBooking.objects.get(pk=booking.pk)
        assert (saved.notes, saved.notes_updated_at) == ("Case study chosen.", at(10, 13))
        event = AuditEvent.objects.get(action="programmes.check_in_notes_written")
        assert "Case study" not in str(event.details)

    @pytest.mark.parametrize("who", ["learner_herself", "other_learner", "outsider", "facilitator"])
    def test_nobody_but_staff_writes_notes(self, world: CheckIns, who: str, request: Any) -> None:
        booking = world.book(world.aroha, 0)
        actor = {"learner_herself": world.aroha.learner, "other_learner": world.mere.learner}.get(who)
        with pytest.raises(PermissionDenied):
            checkins.write_notes(booking, actor=actor or request.getfixturevalue(who), notes="x", now=at(10, 13))
        assert CheckInBooking.objects.get(pk=booking.pk).notes == ""


class TestReminders:
    def test_each_booking_within_24_hours_is_reminded_once(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any
    ) -> None:
        soon = world.book(world.aroha, 0)
        world.book(world.mere, 1)  # starts 48 hours on: not yet
        cancelled = world.book(world.aroha, 2)
        checkins.cancel(cancelled, actor=world.aroha.learner, now=NOW)
        mail.outbox.clear()
        the_day_before = world.slots[0].starts_at - checkins.REMINDER_AHEAD
        with django_capture_on_commit_callbacks(execute=True):
            assert send_check_in_reminders.enqueue(now=the_day_before.isoformat()).return_value == 1
            assert send_check_in_reminders.enqueue(now=the_day_before.isoformat()).return_value == 0
        assert sorted(m.to[0] for m in mail.outbox) == ["aroha@example.org", "tui@inspiring-test.example"]
        assert all(m.subject.startswith("Reminder: check-in soon") for m in mail.outbox)
        assert CheckInBooking.objects.get(pk=soon.pk).reminder_sent_at == the_day_before

    def test_nothing_is_reminded_more_than_24_hours_ahead(self, world: CheckIns) -> None:
        world.book(world.aroha, 0)
        too_early = world.slots[0].starts_at - checkins.REMINDER_AHEAD - datetime.timedelta(seconds=1)
        assert checkins.send_reminders(now=too_early) == 0


def test_a_third_learner_of_the_cohort_sees_the_same_free_times(world: CheckIns, provider_admin: User) -> None:
    confirmed_learner(world.cohort, provider_admin, "hemi@example.org")
    world.book(world.aroha, 1)
    assert checkins.free_slots(world.cohort, now=NOW) == [world.slots[0], world.slots[2]]


def test_the_reminders_command_queues_the_task_for_cron(
    world: CheckIns, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    world.book(world.aroha, 0)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(9, 13))
    mail.outbox.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_check_in_reminders", stdout=out)
    assert out.getvalue().startswith("Queued the check-in reminders")
    assert len(mail.outbox) == 2
    assert CheckInBooking.objects.get(enrolment=world.aroha).reminder_sent_at == at(9, 13)
