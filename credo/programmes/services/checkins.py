"""1:1 check-ins: facilitators offer slots, learners book, move and cancel them, facilitators keep notes.

A slot is never booked twice: the database allows one booking that is not
cancelled per slot (``check_in_slot_booked_once``), and every change to a
slot's bookings first locks the slot row, so concurrent requests queue and the
loser is told plainly. A learner's allowance (``cohort.check_ins_allowed``) is
counted under a lock on their enrolment for the same reason.

Learners may move or cancel a booking until the cohort's notice (``change_notice``)
before it starts: after that the facilitator has set the time aside, so only staff may cancel.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format

from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes.access.common import is_facilitator, is_programme_admin
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Enrolment, EnrolmentState
from credo.programmes.services.cohorts import zone
from credo.programmes.services.workshops import viewer_zone

#: Reminders go out for bookings starting within this time.
REMINDER_AHEAD = datetime.timedelta(hours=24)
#: Enrolments whose learners may book check-ins.
MAY_BOOK = (EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)
LONGEST_SLOT = datetime.timedelta(hours=3)

SLOT_TAKEN = "Someone else has just booked this time; choose another free time."


def when(moment: datetime.datetime, zone_name: str) -> str:
    """'Wednesday 10 April 2024, 12:00 PM (Pacific/Auckland)'."""
    local = timezone.localtime(moment, zone(zone_name))
    return f"{date_format(local, 'l j F Y')}, {date_format(local, 'g:i A')} ({zone_name})"


def change_notice(cohort: Cohort) -> datetime.timedelta:
    """How long before a check-in a learner may still move or cancel it: the cohort's own rule."""
    return datetime.timedelta(hours=cohort.check_in_notice_hours)


def may_manage_check_ins(user: Any, cohort: Cohort) -> bool:
    """The cohort's facilitators and its provider's programme admins: they see bookings and notes."""
    return is_facilitator(user, cohort) or is_programme_admin(user, cohort)


def _audit(actor: Any, action: str, booking_or_slot: CheckInBooking | CheckInSlot, **details: Any) -> None:
    slot = booking_or_slot if isinstance(booking_or_slot, CheckInSlot) else booking_or_slot.slot
    record_event(
        actor=actor,
        action=f"programmes.check_in_{action}",
        obj=booking_or_slot,
        organisation_id=slot.cohort.programme.provider_id,
        details={"slot": slot.pk, "starts_at": slot.starts_at, **details},
    )


def _mail(to: str, subject: str, lines: list[str]) -> None:
    body = "\n".join(lines)
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    )


def _tell_both(booking: CheckInBooking, subject: str, lines: list[str]) -> None:
    """The learner and the facilitator hear about every change, each with the time in their own zone too."""
    slot = booking.slot
    learner = booking.enrolment.learner
    details = [f"With: {slot.facilitator.full_name or slot.facilitator.email}", f"Learner: {learner.email}"]
    if slot.meeting_url:
        details.append(f"Meeting link: {slot.meeting_url}")
    for person in (learner, slot.facilitator):
        times = [f"When: {when(slot.starts_at, slot.cohort.time_zone)}"]
        own_zone = viewer_zone(person)  # a mistyped profile zone must not stop a booking
        if own_zone and own_zone != slot.cohort.time_zone:
            times.append(f"Your time: {when(slot.starts_at, own_zone)}")
        _mail(person.email, subject, [*lines, "", *times, *details])


def _locked_slot(slot: CheckInSlot) -> CheckInSlot:
    return (
        CheckInSlot.objects.select_for_update()
        .select_related("cohort__programme__provider", "facilitator")
        .get(pk=slot.pk)
    )


def _is_booked(slot: CheckInSlot) -> bool:
    return slot.bookings.filter(cancelled_at__isnull=True).exists()


# Slots ------------------------------------------------------------------------------------------------------


@transaction.atomic
def publish_slot(
    *,
    actor: Any,
    cohort: Cohort,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    meeting_url: str = "",
    now: datetime.datetime | None = None,
) -> CheckInSlot:
    """A facilitator of ``cohort`` offers a time; it must be ahead, sensible in length, and not overlap their own."""
    if not is_facilitator(actor, cohort):
        raise PermissionDenied(f"Only the facilitators of {cohort} offer check-in times for it.")
    now = now or timezone.now()
    problems: dict[str, str] = {}
    if ends_at <= starts_at:
        problems["ends_at"] = "The end must be after the start."
    elif ends_at - starts_at > LONGEST_SLOT:
        problems["ends_at"] = "A check-in lasts at most 3 hours; offer several times instead."
    if starts_at <= now:
        problems["starts_at"] = "Offer a time in the future."
    if meeting_url.strip():
        try:
            URLValidator(schemes=["https", "http"])(meeting_url.strip())
        except ValidationError:
            problems["meeting_url"] = "Give the meeting link as a full web address, starting https://."
    if problems:
        raise ValidationError(problems)
    overlapping = CheckInSlot.objects.filter(
        facilitator=actor, withdrawn_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if overlapping is not None:
        raise ValidationError(
            {"starts_at": f"You already offer a time then: {when(overlapping.starts_at, cohort.time_zone)}."}
        )
    slot = CheckInSlot.objects.create(
        cohort=cohort, facilitator=actor, starts_at=starts_at, ends_at=ends_at, meeting_url=meeting_url.strip()
    )
    _audit(actor, "slot_published", slot, ends_at=ends_at)
    return slot


@transaction.atomic
def withdraw_slot(slot: CheckInSlot, *, actor: Any, now: datetime.datetime | None = None) -> CheckInSlot:
    """Take back a time nobody has booked (the slot's facilitator or a programme admin)."""
    slot = _locked_slot(slot)
    if actor != slot.facilitator and not is_programme_admin(actor, slot.cohort):
        raise PermissionDenied("Only the facilitator who offered this time, or a programme admin, can withdraw it.")
    if slot.withdrawn_at is not None:
        raise ValidationError("This time is already withdrawn.")
    if _is_booked(slot):
        raise ValidationError("Someone has booked this time: cancel their booking first, so that they are told.")
    slot.withdrawn_at = now or timezone.now()
    slot.save(update_fields=["withdrawn_at"])
    _audit(actor, "slot_withdrawn", slot)
    return slot


def free_slots(cohort: Cohort, *, now: datetime.datetime | None = None) -> list[CheckInSlot]:
    """Times still on offer: ahead, not withdrawn, not booked."""
    now = now or timezone.now()
    return list(
        cohort.check_in_slots.filter(starts_at__gt=now, withdrawn_at__isnull=True)
        .exclude(Exists(CheckInBooking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True)))
        .select_related("facilitator")
        .order_by("starts_at", "pk")
    )


# Bookings ---------------------------------------------------------------------------------------------------


def _check_bookable(slot: CheckInSlot, enrolment: Enrolment, now: datetime.datetime) -> None:
    if slot.cohort_id != enrolment.cohort_id:
        raise ValidationError({"slot": "That time is offered to another cohort; choose one of your cohort's."})
    if slot.withdrawn_at is not None:
        raise ValidationError({"slot": "That time is no longer offered; choose another."})
    if slot.starts_at <= now:
        raise ValidationError({"slot": "That time has passed; choose one ahead."})
    if _is_booked(slot):
        raise ValidationError({"slot": SLOT_TAKEN})


def _locked_enrolment(enrolment: Enrolment, actor: Any) -> Enrolment:
    if actor != enrolment.learner:
        raise PermissionDenied("Only the learner books their own check-ins.")
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("cohort__programme__provider", "learner")
        .get(pk=enrolment.pk)
    )
    if enrolment.state not in MAY_BOOK:
        waiting = enrolment.state in (EnrolmentState.WAITLISTED, EnrolmentState.APPLIED)
        raise ValidationError(
            ("Your place is not confirmed yet" if waiting else "You no longer hold a place in this cohort")
            + ": check-ins are for confirmed learners."
        )
    return enrolment


def book(
    *, enrolment: Enrolment, slot: CheckInSlot, actor: Any, now: datetime.datetime | None = None
) -> CheckInBooking:
    """The learner books a free slot of their cohort, within their allowance; both sides are emailed."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            enrolment = _locked_enrolment(enrolment, actor)  # the allowance: one booking at a time per learner
            slot = _locked_slot(slot)  # the slot: one booking at a time per slot
            _check_bookable(slot, enrolment, now)
            allowed = enrolment.cohort.check_ins_allowed
            if enrolment.check_ins.filter(cancelled_at__isnull=True).count() >= allowed:
                raise ValidationError(
                    f"You have booked all {allowed} of your check-ins; cancel or move one to choose another time."
                )
            booking = CheckInBooking.objects.create(slot=slot, enrolment=enrolment)
            _audit(actor, "booked", booking, learner=enrolment.learner.email)
            _tell_both(booking, f"Check-in booked: {enrolment.cohort}", ["A 1:1 check-in is booked."])
    except IntegrityError:
        # The constraint caught a booking the lock did not (a database without row locks).
        raise ValidationError({"slot": SLOT_TAKEN}) from None
    return booking


def _check_learner_may_change(booking: CheckInBooking, now: datetime.datetime) -> None:
    if booking.cancelled_at is not None:
        raise ValidationError("This booking is already cancelled.")
    if booking.slot.starts_at - now < change_notice(booking.slot.cohort):
        hours = booking.slot.cohort.check_in_notice_hours
        raise ValidationError(
            f"Check-ins can be moved or cancelled up to {hours} hours before they start; "
            "this one is sooner, so contact your facilitator."
        )


def _locked_booking(booking: CheckInBooking) -> CheckInBooking:
    return (
        CheckInBooking.objects.select_for_update()
        .select_related("slot__cohort__programme__provider", "slot__facilitator", "enrolment__learner")
        .get(pk=booking.pk)
    )


def reschedule(
    booking: CheckInBooking, *, to: CheckInSlot, actor: Any, now: datetime.datetime | None = None
) -> CheckInBooking:
    """Move the learner's booking to another free slot in one step: they never hold both, nor lose both."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _locked_enrolment(booking.enrolment, actor)
            # Lock both slots in a fixed order, so that two learners swapping times cannot deadlock.
            for slot in sorted([booking.slot, to], key=lambda s: s.pk):
                _locked_slot(slot)
            booking = _locked_booking(booking)
            _check_learner_may_change(booking, now)
            if to.pk == booking.slot_id:
                raise ValidationError({"slot": "That is the time you already have; choose another."})
            target = _locked_slot(to)
            _check_bookable(target, booking.enrolment, now)
            booking.cancelled_at = now
            booking.cancelled_by = actor
            booking.save(update_fields=["cancelled_at", "cancelled_by"])
            moved = CheckInBooking.objects.create(slot=target, enrolment=booking.enrolment)
            _audit(actor, "rescheduled", moved, learner=booking.enrolment.learner.email, previous_slot=booking.slot_id)
            was = when(booking.slot.starts_at, booking.slot.cohort.time_zone)
            _tell_both(
                moved, f"Check-in moved: {moved.slot.cohort}", [f"The check-in on {was} has moved to this time."]
            )
    except IntegrityError:
        raise ValidationError({"slot": SLOT_TAKEN}) from None
    return moved


@transaction.atomic
def cancel(
    booking: CheckInBooking, *, actor: Any, now: datetime.datetime | None = None, reason: str = ""
) -> CheckInBooking:
    """The learner cancels with enough notice; the cohort's facilitators and admins may cancel until it starts.

    ``reason`` (optional) is kept on record and told to both people, so the learner knows why staff cancelled.
    """
    now = now or timezone.now()
    _locked_slot(booking.slot)
    booking = _locked_booking(booking)
    if actor == booking.enrolment.learner:
        _check_learner_may_change(booking, now)
    elif may_manage_check_ins(actor, booking.slot.cohort):
        if booking.cancelled_at is not None:
            raise ValidationError("This booking is already cancelled.")
        if booking.slot.starts_at <= now:
            raise ValidationError("This check-in has started; it can no longer be cancelled.")
    else:
        raise PermissionDenied("Only the learner, or the cohort's facilitators and admins, can cancel this booking.")
    booking.cancelled_at = now
    booking.cancelled_by = actor
    booking.save(update_fields=["cancelled_at", "cancelled_by"])
    reason = reason.strip()
    _audit(actor, "cancelled", booking, learner=booking.enrolment.learner.email, reason=reason)
    who = "You" if actor == booking.enrolment.learner else (actor.full_name or actor.email)
    lines = [f"A 1:1 check-in was cancelled by {who}."]
    if reason:
        lines.append(f"Reason: {reason}")
    _tell_both(booking, f"Check-in cancelled: {booking.slot.cohort}", lines)
    return booking


def release_bookings(enrolment: Enrolment, *, actor: Any, reason: str, now: datetime.datetime | None = None) -> int:
    """Cancel the learner's check-ins still to come, when they leave the cohort (withdrawn, deferred, lapsed).

    The facilitator gets the time back for someone else and is told; the learner
    gets one email listing the cancelled times. Call inside the transaction that
    moves the enrolment (``enrolments.move`` does). Returns how many were cancelled.
    """
    now = now or timezone.now()
    upcoming = (
        CheckInBooking.objects.select_for_update()
        .filter(enrolment=enrolment, cancelled_at__isnull=True, slot__starts_at__gt=now)
        .select_related("slot__cohort", "slot__facilitator")
    )
    released = list(upcoming)
    for booking in released:
        booking.cancelled_at = now
        booking.cancelled_by = actor
        booking.save(update_fields=["cancelled_at", "cancelled_by"])
        _audit(actor, "cancelled", booking, learner=enrolment.learner.email, reason=reason)
        slot = booking.slot
        _mail(
            slot.facilitator.email,
            f"Check-in freed: {slot.cohort}",
            [
                f"{enrolment.learner.full_name or enrolment.learner.email} no longer needs the check-in on "
                f"{when(slot.starts_at, viewer_zone(slot.facilitator) or slot.cohort.time_zone)}: {reason}",
                "The time is free for another learner to book.",
            ],
        )
    if released:
        learner = enrolment.learner
        times = [f"- {when(b.slot.starts_at, viewer_zone(learner) or b.slot.cohort.time_zone)}" for b in released]
        _mail(
            learner.email,
            f"Your check-ins with {enrolment.cohort} are cancelled",
            [f"As you are no longer studying in {enrolment.cohort} ({reason}), these check-ins are cancelled:", *times],
        )
    return len(released)


@transaction.atomic
def write_notes(
    booking: CheckInBooking, *, actor: Any, notes: str, now: datetime.datetime | None = None
) -> CheckInBooking:
    """The cohort's facilitators (or admins) keep notes once the meeting has begun; the learner never sees them."""
    now = now or timezone.now()
    booking = _locked_booking(booking)
    if not may_manage_check_ins(actor, booking.slot.cohort):
        raise PermissionDenied("Only the cohort's facilitators and programme admins keep check-in notes.")
    if booking.cancelled_at is not None:
        raise ValidationError("This booking was cancelled; there is no meeting to keep notes on.")
    if booking.slot.starts_at > now:
        raise ValidationError("Notes are for after the meeting; this check-in has not started yet.")
    booking.notes = notes.strip()
    booking.notes_updated_at = now
    booking.save(update_fields=["notes", "notes_updated_at"])
    # The notes themselves stay out of the audit log: it is read more widely than they may be.
    _audit(actor, "notes_written", booking, length=len(booking.notes))
    return booking


# Reminders --------------------------------------------------------------------------------------------------


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind both sides of each booking starting within ``REMINDER_AHEAD``, once; returns how many were sent.

    Each booking is claimed by a conditional update before its email is queued, so
    two workers running this at once never remind anyone twice.
    """
    now = now or timezone.now()
    due = CheckInBooking.objects.filter(
        cancelled_at__isnull=True,
        reminder_sent_at__isnull=True,
        enrolment__state__in=MAY_BOOK,
        slot__withdrawn_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("slot__cohort", "slot__facilitator", "enrolment__learner")
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = CheckInBooking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if claimed:
                _tell_both(booking, f"Reminder: check-in soon ({booking.slot.cohort})", ["Your 1:1 check-in is soon."])
                sent += 1
    return sent
