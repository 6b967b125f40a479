"""Check-in endpoints: a cohort's times for its members; booking, moving and cancelling for the learner;
notes for the cohort's facilitators and programme admins. The same loaders and services as the pages."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja import Status as Reply
from ninja.security import django_auth

from credo.programmes.access import checkins as access
from credo.programmes.api.router import router
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort
from credo.programmes.services import checkins


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class BookingOut(Schema):
    id: int
    slot: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    starts_in_cohort_zone: str
    facilitator: str
    meeting_url: str
    learner: str
    cancelled_at: datetime.datetime | None

    @classmethod
    def of(cls, booking: CheckInBooking) -> BookingOut:
        slot = booking.slot
        return cls(
            id=booking.pk,
            slot=slot.pk,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            starts_in_cohort_zone=checkins.when(slot.starts_at, slot.cohort.time_zone),
            facilitator=slot.facilitator.full_name or slot.facilitator.email,
            meeting_url=slot.meeting_url,
            learner=booking.enrolment.learner.email,
            cancelled_at=booking.cancelled_at,
        )


class SlotOut(Schema):
    """A time on offer. ``booking`` is the caller's own booking of it, or any booking when the caller is staff."""

    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    starts_in_cohort_zone: str
    facilitator: str
    free: bool
    withdrawn: bool
    booking: BookingOut | None

    @classmethod
    def of(cls, slot: CheckInSlot, *, booking: CheckInBooking | None, shown: CheckInBooking | None) -> SlotOut:
        """``booking``: the slot's live booking, if any; ``shown``: the one the caller may see (or None)."""
        return cls(
            id=slot.pk,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            starts_in_cohort_zone=checkins.when(slot.starts_at, slot.cohort.time_zone),
            facilitator=slot.facilitator.full_name or slot.facilitator.email,
            free=booking is None and slot.withdrawn_at is None,
            withdrawn=slot.withdrawn_at is not None,
            booking=BookingOut.of(shown) if shown else None,
        )


class SlotChoiceIn(Schema):
    slot: int


class NotesIn(Schema):
    notes: str


class NotesOut(Schema):
    booking: int
    notes: str
    notes_updated_at: datetime.datetime | None


_WRITE = {200: BookingOut, 401: Message, 403: Message, 404: Message, 422: Problems}


def _slots_seen_by(cohort: Cohort, *, staff: bool, learner: Any) -> list[SlotOut]:
    live = {
        b.slot_id: b
        for b in CheckInBooking.objects.filter(slot__cohort=cohort, cancelled_at__isnull=True).select_related(
            "slot__cohort", "slot__facilitator", "enrolment__learner"
        )
    }
    slots: list[CheckInSlot] = list(
        CheckInSlot.objects.filter(cohort=cohort).select_related("cohort", "facilitator").order_by("starts_at", "pk")
    )
    if not staff:  # learners see what is on offer, and their own bookings; never who booked the rest
        now = timezone.now()
        mine = {pk for pk, b in live.items() if b.enrolment.learner_id == learner.pk}
        slots = [
            s for s in slots if s.pk in mine or (s.withdrawn_at is None and s.pk not in live and s.starts_at > now)
        ]
    rows = []
    for slot in slots:
        booking = live.get(slot.pk)
        shown = booking if booking is not None and (staff or booking.enrolment.learner_id == learner.pk) else None
        rows.append(SlotOut.of(slot, booking=booking, shown=shown))
    return rows


@router.get(
    "/cohorts/{public_id}/check-in-slots",
    auth=django_auth,
    response={200: list[SlotOut], 401: Message, 403: Message, 404: Message},
    summary="A cohort's 1:1 check-in times: free ones and your own (learners), or all with bookings (staff)",
)
def list_slots(request: HttpRequest, public_id: UUID) -> list[SlotOut]:
    cohort, enrolment = access.cohort_for_member(request.user, str(public_id))
    return _slots_seen_by(cohort, staff=enrolment is None, learner=request.user)


@router.post(
    "/check-in-slots/{slot_id}/booking",
    auth=django_auth,
    response={201: BookingOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Book a free check-in time of your cohort (learners, within their allowance)",
)
def book(request: HttpRequest, slot_id: int) -> Reply[BookingOut]:
    enrolment, slot = access.slot_for_learner(request.user, slot_id)
    booking = checkins.book(enrolment=enrolment, slot=slot, actor=request.user)
    return Reply(201, BookingOut.of(access.own_booking(request.user, booking.pk)))


@router.post(
    "/check-in-bookings/{booking_id}/reschedule",
    auth=django_auth,
    response={201: BookingOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Move your booking to another free time (up to 24 hours before it starts); returns the new booking",
)
def reschedule(request: HttpRequest, booking_id: int, payload: SlotChoiceIn) -> Reply[BookingOut]:
    booking = access.own_booking(request.user, booking_id)
    target = access.slot_offered_to(booking.enrolment, payload.slot)
    moved = checkins.reschedule(booking, to=target, actor=request.user)
    return Reply(201, BookingOut.of(access.own_booking(request.user, moved.pk)))


@router.post(
    "/check-in-bookings/{booking_id}/cancel",
    auth=django_auth,
    response=_WRITE,
    summary="Cancel your booking (up to 24 hours before it starts)",
)
def cancel(request: HttpRequest, booking_id: int) -> BookingOut:
    booking = access.own_booking(request.user, booking_id)
    checkins.cancel(booking, actor=request.user)
    return BookingOut.of(access.own_booking(request.user, booking_id))


@router.get(
    "/check-in-bookings/{booking_id}/notes",
    auth=django_auth,
    response={200: NotesOut, 401: Message, 403: Message, 404: Message},
    summary="The facilitator's notes on a check-in (the cohort's facilitators and programme admins only)",
)
def read_notes(request: HttpRequest, booking_id: int) -> NotesOut:
    booking = access.booking_for_check_in_staff(request.user, booking_id)
    return NotesOut(booking=booking.pk, notes=booking.notes, notes_updated_at=booking.notes_updated_at)


@router.put(
    "/check-in-bookings/{booking_id}/notes",
    auth=django_auth,
    response={200: NotesOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Keep notes after a check-in has begun (the cohort's facilitators and programme admins only)",
)
def write_notes(request: HttpRequest, booking_id: int, payload: NotesIn) -> NotesOut:
    booking = access.booking_for_check_in_staff(request.user, booking_id)
    saved = checkins.write_notes(booking, actor=request.user, notes=payload.notes)
    return NotesOut(booking=saved.pk, notes=saved.notes, notes_updated_at=saved.notes_updated_at)
