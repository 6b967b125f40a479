"""Check-in times from the staff side: a facilitator offers and withdraws times; staff cancel a learner's booking.

As on the staff check-in page: the cohort loads through ``access.checkins.cohort_for_check_in_staff`` (its
facilitators and its provider's programme admins), the slot or booking only inside that cohort, and the service
decides the rest: only a facilitator of the cohort offers times (an admin is told so, 403), the slot's own
facilitator or an admin withdraws it, and staff may cancel a booking until it starts (the learner is emailed).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.programmes.access import checkins as access
from credo.programmes.api.bookings import BookingOut, Message, Problems, SlotOut
from credo.programmes.api.router import router
from credo.programmes.services import checkins
from credo.programmes.services.cohorts import local_moment


class SlotIn(Schema):
    """A time on offer, as wall-clock times in the cohort's zone, e.g. 2024-04-10, 12:00, 12:45."""

    day: datetime.date = Field(description="The day, in the cohort's time zone.")
    starts: datetime.time = Field(description="Start, wall-clock time in the cohort's zone.")
    ends: datetime.time = Field(description="End, wall-clock time in the cohort's zone (at most 3 hours later).")
    meeting_url: Annotated[str, StringConstraints(max_length=500, pattern=NUL_FREE)] = Field(
        "", description="The video call the learner joins, starting https://."
    )


_WRITE: dict[int, Any] = {200: SlotOut, 401: Message, 403: Message, 404: Message, 422: Problems}


@router.post(
    "/cohorts/{public_id}/check-in-slots",
    auth=django_auth,
    response={201: SlotOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="programmes_publish_check_in_slot",
    summary="Offer a 1:1 check-in time to the cohort's learners (the cohort's facilitators)",
)
def publish_slot(request: HttpRequest, public_id: UUID, payload: SlotIn) -> Reply[SlotOut]:
    cohort = access.cohort_for_check_in_staff(request.user, str(public_id))
    slot = checkins.publish_slot(
        actor=request.user,
        cohort=cohort,
        starts_at=local_moment(payload.day, payload.starts, cohort.time_zone),
        ends_at=local_moment(payload.day, payload.ends, cohort.time_zone),
        meeting_url=payload.meeting_url,
    )
    return Reply(201, SlotOut.of(access.slot_for_staff(cohort, slot.pk), booking=None, shown=None))


@router.post(
    "/cohorts/{public_id}/check-in-slots/{slot_id}/withdraw",
    auth=django_auth,
    response=_WRITE,
    operation_id="programmes_withdraw_check_in_slot",
    summary="Take back a time nobody has booked (the facilitator who offered it, or a programme admin)",
)
def withdraw_slot(request: HttpRequest, public_id: UUID, slot_id: int) -> SlotOut:
    cohort = access.cohort_for_check_in_staff(request.user, str(public_id))
    slot = access.slot_for_staff(cohort, slot_id)
    checkins.withdraw_slot(slot, actor=request.user)
    return SlotOut.of(access.slot_for_staff(cohort, slot_id), booking=None, shown=None)


@router.post(
    "/cohorts/{public_id}/check-in-bookings/{booking_id}/cancel",
    auth=django_auth,
    response={200: BookingOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="programmes_staff_cancel_check_in",
    summary="Cancel a learner's check-in before it starts; both sides are emailed (facilitators, programme admins)",
)
def cancel_booking(request: HttpRequest, public_id: UUID, booking_id: int) -> BookingOut:
    cohort = access.cohort_for_check_in_staff(request.user, str(public_id))
    booking = access.booking_for_staff(cohort, booking_id)
    checkins.cancel(booking, actor=request.user)
    return BookingOut.of(access.booking_for_staff(cohort, booking_id))
