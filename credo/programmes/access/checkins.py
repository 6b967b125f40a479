"""Permission-checked loaders for check-ins: a learner reaches their own bookings and their cohort's times;
the cohort's facilitators and programme admins reach every slot and booking of the cohort, nobody else any."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from credo.programmes.access.common import cohort_for_staff, own_enrolment
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Enrolment, EnrolmentState

#: As in services.checkins.MAY_BOOK (loaders stay free of service imports).
_MAY_BOOK = (EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)
_BOOKING = ("slot__cohort__programme__provider", "slot__facilitator", "enrolment__learner")


def learners_enrolment(user: Any, enrolment_id: int) -> Enrolment:
    """The signed-in learner's own enrolment (any other is unseen: 404)."""
    return own_enrolment(user, enrolment_id)


def slot_offered_to(enrolment: Enrolment, slot_id: int) -> CheckInSlot:
    """A slot of the learner's own cohort; a slot of any other cohort is unseen."""
    slot = CheckInSlot.objects.select_related("cohort", "facilitator").filter(pk=slot_id, cohort=enrolment.cohort)
    found = slot.first()
    if found is None:
        raise Http404("No such check-in time in your cohort.")
    return found


def learners_booking(enrolment: Enrolment, booking_id: int) -> CheckInBooking:
    """One of the learner's own bookings; another learner's is unseen."""
    booking = CheckInBooking.objects.select_related(*_BOOKING).filter(pk=booking_id, enrolment=enrolment).first()
    if booking is None:
        raise Http404("No such booking of yours.")
    return booking


def cohort_for_check_in_staff(user: Any, public_id: str) -> Cohort:
    """The cohort, for its facilitators and its provider's programme admins."""
    return cohort_for_staff(user, public_id, facilitators=True)


def slot_for_staff(cohort: Cohort, slot_id: int) -> CheckInSlot:
    """A slot of a cohort already loaded through ``cohort_for_check_in_staff``."""
    slot = CheckInSlot.objects.select_related("cohort__programme__provider", "facilitator")
    found = slot.filter(pk=slot_id, cohort=cohort).first()
    if found is None:
        raise Http404("No such check-in time in this cohort.")
    return found


def booking_for_staff(cohort: Cohort, booking_id: int) -> CheckInBooking:
    """A booking of a cohort already loaded through ``cohort_for_check_in_staff``."""
    booking = CheckInBooking.objects.select_related(*_BOOKING).filter(pk=booking_id, slot__cohort=cohort).first()
    if booking is None:
        raise Http404("No such booking in this cohort.")
    return booking


# For the API, whose paths name a slot or booking but not the enrolment or cohort ---------------------------------


def may_book_in(user: Any, cohort: Cohort) -> Enrolment | None:
    """The user's enrolment in ``cohort`` if it lets them book check-ins."""
    return (
        Enrolment.objects.select_related("cohort__programme__provider", "learner")
        .filter(cohort=cohort, learner_id=getattr(user, "pk", None), state__in=_MAY_BOOK)
        .first()
    )


def cohort_for_member(user: Any, public_id: str) -> tuple[Cohort, Enrolment | None]:
    """The cohort for its staff (enrolment None) or a learner who may book in it; anyone else learns nothing."""
    cohort = Cohort.objects.select_related("programme__provider").filter(public_id=public_id).first()
    if cohort is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such cohort.")
    enrolment = may_book_in(user, cohort)
    if enrolment is not None:
        return cohort, enrolment
    return cohort_for_check_in_staff(user, public_id), None


def slot_for_learner(user: Any, slot_id: int) -> tuple[Enrolment, CheckInSlot]:
    """A slot of a cohort the user may book in, with their enrolment there."""
    slot = CheckInSlot.objects.select_related("cohort", "facilitator").filter(pk=slot_id).first()
    enrolment = may_book_in(user, slot.cohort) if slot is not None else None
    if slot is None or enrolment is None:
        raise Http404("No such check-in time in your cohort.")
    return enrolment, slot


def own_booking(user: Any, booking_id: int) -> CheckInBooking:
    """One of the user's own bookings, in any of their enrolments."""
    booking = (
        CheckInBooking.objects.select_related(*_BOOKING)
        .filter(pk=booking_id, enrolment__learner_id=getattr(user, "pk", None))
        .first()
    )
    if booking is None:
        raise Http404("No such booking of yours.")
    return booking


def booking_for_check_in_staff(user: Any, booking_id: int) -> CheckInBooking:
    """A booking, for its cohort's facilitators and programme admins."""
    booking = CheckInBooking.objects.select_related(*_BOOKING).filter(pk=booking_id).first()
    if booking is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such booking.")
    cohort_for_check_in_staff(user, str(booking.slot.cohort.public_id))
    return booking
