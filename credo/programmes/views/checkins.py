"""Check-in pages: a learner's booking page, and the cohort staff's slots, bookings and notes.

Objects load through ``access.checkins``; every change is one service call, whose
refusal is shown on the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.programmes import learner_home
from credo.programmes.access import checkins as access
from credo.programmes.forms.checkins import ChooseSlotForm, NotesForm, SlotForm
from credo.programmes.forms.staff import CancelBookingForm
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Enrolment, InvoiceState
from credo.programmes.services import checkins, workshops


@dataclass(frozen=True)
class Shown:
    """A slot's start in the cohort's zone, and in the viewer's own zone when they set a different one."""

    slot: CheckInSlot
    in_cohort_zone: str
    in_own_zone: str


def _shown(slot: CheckInSlot, cohort: Cohort, viewer: Any) -> Shown:
    own = workshops.viewer_zone(viewer)  # a mistyped profile zone shows the cohort's only, never an error
    return Shown(
        slot=slot,
        in_cohort_zone=checkins.when(slot.starts_at, cohort.time_zone),
        in_own_zone=checkins.when(slot.starts_at, own) if own and own != cohort.time_zone else "",
    )


def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


def _change(request: HttpRequest, change: Callable[[], object], done: str) -> None:
    """One service call, and a message saying how it went: what was done, or what stopped it."""
    try:
        change()
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(request, done)


# Learners -----------------------------------------------------------------------------------------------------


def _learner_page(enrolment: Enrolment) -> str:
    return reverse("programmes:checkins-learner", kwargs={"enrolment_id": enrolment.pk})


@login_required
@require_GET
def learner_page(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.learners_enrolment(request.user, enrolment_id)
    cohort = enrolment.cohort
    bookings = list(
        enrolment.check_ins.filter(cancelled_at__isnull=True)
        .select_related("slot__facilitator")
        .order_by("slot__starts_at")
    )
    context = {
        "enrolment": enrolment,
        "cohort": cohort,
        "may_book": enrolment.state in checkins.MAY_BOOK,
        "standing": learner_home.status_words(
            enrolment, unpaid=list(enrolment.invoices.filter(state=InvoiceState.ISSUED))
        ),
        # Every check-in used: offer moving one rather than buttons that can only be refused.
        "all_used": len(bookings) >= cohort.check_ins_allowed,
        "allowed": cohort.check_ins_allowed,
        "bookings": [(b, _shown(b.slot, cohort, request.user)) for b in bookings],
        "free": [_shown(s, cohort, request.user) for s in checkins.free_slots(cohort)],
        "notice_hours": cohort.check_in_notice_hours,
    }
    return render(request, "programmes/checkins/learner.html", context)


def _chosen_slot(request: HttpRequest, enrolment: Enrolment) -> CheckInSlot | None:
    form = ChooseSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the free times.")
        return None
    return access.slot_offered_to(enrolment, form.cleaned_data["slot"])


@login_required
@require_POST
def book(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.learners_enrolment(request.user, enrolment_id)
    slot = _chosen_slot(request, enrolment)
    if slot is not None:
        _change(
            request,
            lambda: checkins.book(enrolment=enrolment, slot=slot, actor=request.user),
            f"Booked: {checkins.when(slot.starts_at, enrolment.cohort.time_zone)}.",
        )
    return redirect(_learner_page(enrolment))


@login_required
@require_POST
def reschedule(request: HttpRequest, enrolment_id: int, booking_id: int) -> HttpResponse:
    enrolment = access.learners_enrolment(request.user, enrolment_id)
    booking = access.learners_booking(enrolment, booking_id)
    slot = _chosen_slot(request, enrolment)
    if slot is not None:
        _change(
            request,
            lambda: checkins.reschedule(booking, to=slot, actor=request.user),
            f"Moved to {checkins.when(slot.starts_at, enrolment.cohort.time_zone)}.",
        )
    return redirect(_learner_page(enrolment))


@login_required
@require_POST
def cancel(request: HttpRequest, enrolment_id: int, booking_id: int) -> HttpResponse:
    enrolment = access.learners_enrolment(request.user, enrolment_id)
    booking = access.learners_booking(enrolment, booking_id)
    _change(
        request,
        lambda: checkins.cancel(booking, actor=request.user),
        "Check-in cancelled; your facilitator has been told.",
    )
    return redirect(_learner_page(enrolment))


# Cohort staff -------------------------------------------------------------------------------------------------


def _staff_page(cohort: Cohort) -> str:
    return reverse("programmes:checkins-staff", kwargs={"public_id": cohort.public_id})


@login_required
@require_http_methods(["GET", "POST"])
def staff_page(request: HttpRequest, public_id: str) -> HttpResponse:
    cohort = access.cohort_for_check_in_staff(request.user, public_id)
    form = SlotForm(request.POST or None, zone_name=cohort.time_zone)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments(cohort.time_zone)
        try:
            slot = checkins.publish_slot(
                actor=request.user,
                cohort=cohort,
                starts_at=starts_at,
                ends_at=ends_at,
                meeting_url=form.cleaned_data["meeting_url"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Offered: {checkins.when(slot.starts_at, cohort.time_zone)}.")
            return redirect(_staff_page(cohort))
    slots = cohort.check_in_slots.select_related("facilitator").order_by("starts_at", "pk")
    booked = {
        b.slot_id: b
        for b in CheckInBooking.objects.filter(slot__cohort=cohort, cancelled_at__isnull=True).select_related(
            "enrolment__learner"
        )
    }
    context = {
        "cohort": cohort,
        "form": form,
        "may_offer": cohort.facilitators.filter(pk=request.user.pk).exists(),
        "rows": [(_shown(s, cohort, request.user), booked.get(s.pk)) for s in slots],
    }
    return render(request, "programmes/checkins/staff.html", context)


@login_required
@require_POST
def withdraw_slot(request: HttpRequest, public_id: str, slot_id: int) -> HttpResponse:
    cohort = access.cohort_for_check_in_staff(request.user, public_id)
    slot = access.slot_for_staff(cohort, slot_id)
    _change(request, lambda: checkins.withdraw_slot(slot, actor=request.user), "That time is withdrawn.")
    return redirect(_staff_page(cohort))


@login_required
@require_http_methods(["GET", "POST"])
def staff_cancel(request: HttpRequest, public_id: str, booking_id: int) -> HttpResponse:
    """Cancelling someone else's check-in is asked twice: a page saying whose and when, with a reason to tell them."""
    cohort = access.cohort_for_check_in_staff(request.user, public_id)
    booking = access.booking_for_staff(cohort, booking_id)
    if booking.cancelled_at is not None:
        messages.info(request, "That booking is already cancelled.")
        return redirect(_staff_page(cohort))
    # Bound on every POST, even an empty one: the reason is optional, so a bare POST cancels.
    form = CancelBookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            checkins.cancel(booking, actor=request.user, reason=reason)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Booking cancelled; {booking.enrolment.learner.email} has been told.")
            return redirect(_staff_page(cohort))
    context = {"cohort": cohort, "booking": booking, "shown": _shown(booking.slot, cohort, request.user), "form": form}
    status = 422 if form.errors else 200
    return render(request, "programmes/checkins/cancel.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, public_id: str, booking_id: int) -> HttpResponse:
    cohort = access.cohort_for_check_in_staff(request.user, public_id)
    booking = access.booking_for_staff(cohort, booking_id)
    form = NotesForm(request.POST or None, initial={"notes": booking.notes})
    if request.method == "POST" and form.is_valid():
        try:
            checkins.write_notes(booking, actor=request.user, notes=form.cleaned_data["notes"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Notes saved.")
            return redirect(_staff_page(cohort))
    context = {"cohort": cohort, "booking": booking, "shown": _shown(booking.slot, cohort, request.user), "form": form}
    return render(request, "programmes/checkins/notes.html", context)
