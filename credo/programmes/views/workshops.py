"""Workshop pages: a cohort's sessions (in its zone and the viewer's), setting them up, attendance, calendars.

Objects load through ``access.workshops``; every change is one service call. The
calendar feed is the one page without a sign-in: its secret token is the key, so
it is never cached and never shown to anyone but its owner.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.core.http import HtmxHttpRequest
from credo.programmes.access import workshops as access
from credo.programmes.access.common import cohort_for_staff, is_programme_admin
from credo.programmes.calendar import feeds
from credo.programmes.forms.workshops import CancelForm, SessionForm
from credo.programmes.models import Attendance, CalendarFeed, CheckInBooking, Cohort, Enrolment, Session
from credo.programmes.services import workshops


def _sessions_url(cohort: Cohort) -> str:
    return reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Private data (meeting links, a learner's check-ins): no shared cache keeps it; the link is not passed on.
    add_never_cache_headers(response)  # no-store, private
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _feed_target(user: Any, cohort: Cohort) -> dict[str, Any]:
    """Staff subscribe to the cohort's calendar; a learner to their own (workshops and check-ins)."""
    if access.is_cohort_staff(user, cohort):
        return {"cohort": cohort}
    place = access.place_of(user, cohort)
    if place is None:
        raise Http404("No such cohort.")
    return {"enrolment": place}


@login_required
@require_GET
@never_cache
def sessions(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    cohort = access.cohort_for_participant(request.user, str(cohort_id))
    staff = access.is_cohort_staff(request.user, cohort)
    rows = cohort.sessions.annotate(
        present=Count("attendance", filter=Q(attendance__present=True)), marked=Count("attendance")
    )
    feed = workshops.current_feed(request.user, **_feed_target(request.user, cohort))
    context = {
        "cohort": cohort,
        "sessions": [(session, workshops.both_times(session, request.user)) for session in rows],
        "is_admin": is_programme_admin(request.user, cohort),
        "is_staff": staff,
        "feed_url": request.build_absolute_uri(reverse("programmes:calendar-feed", args=[feed.token])) if feed else "",
        "feed_kind": "the cohort's workshops" if staff else "your workshops and check-ins",
    }
    return render(request, "programmes/workshops/sessions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add_session(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    cohort = cohort_for_staff(request.user, str(cohort_id))
    next_number = (cohort.sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = SessionForm(request.POST or None, time_zone=cohort.time_zone, initial={"number": next_number})
    if request.method == "POST" and form.is_valid():
        try:
            session = workshops.add_session(
                cohort, actor=request.user, number=form.cleaned_data["number"], details=form.details()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{session} added.")
            return redirect(_sessions_url(cohort))
    return render(request, "programmes/workshops/session_form.html", {"cohort": cohort, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def change_session(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = access.session_for_admin(request.user, str(session_id))
    form = SessionForm(
        request.POST or None,
        time_zone=session.cohort.time_zone,
        with_number=False,
        initial=SessionForm.initial_for(session),
    )
    if request.method == "POST" and form.is_valid():
        try:
            workshops.change_session(session, actor=request.user, details=form.details())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{session} changed; its learners are told by email.")
            return redirect(_sessions_url(session.cohort))
    context = {"cohort": session.cohort, "session": session, "form": form}
    return render(request, "programmes/workshops/session_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel_session(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = access.session_for_admin(request.user, str(session_id))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workshops.cancel_session(session, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{session} cancelled; its learners are told by email.")
            return redirect(_sessions_url(session.cohort))
    context = {"cohort": session.cohort, "session": session, "form": form, "when": workshops.cohort_time(session)}
    return render(request, "programmes/workshops/cancel.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HtmxHttpRequest, session_id: UUID) -> HttpResponse:
    """A checkbox per learner; without JavaScript the form posts and the page comes back, with htmx only the form."""
    session = access.session_for_attendance(request.user, str(session_id))
    learners = workshops.learners_of(session.cohort)
    problem = ""
    if request.method == "POST":
        ticked = set(request.POST.getlist("present"))
        try:
            workshops.record_attendance(
                session, actor=request.user, present={e.pk: str(e.pk) in ticked for e in learners}
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            if not request.htmx:
                messages.success(request, f"Attendance at {session} saved.")
                return redirect(reverse("programmes:attendance", kwargs={"session_id": session.public_id}))
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    context = {
        "cohort": session.cohort,
        "session": session,
        "when": workshops.both_times(session, request.user),
        "rows": [(enrolment, marks.get(enrolment.pk)) for enrolment in learners],
        "problem": problem,
        "saved": request.method == "POST" and not problem,
        "not_yet": timezone.now() < session.starts_at,
    }
    template = "programmes/workshops/_attendance_form.html" if request.htmx else "programmes/workshops/attendance.html"
    # htmx swaps in only successful responses, so there the refusal comes back as a 200 form that says why.
    return render(request, template, context, status=422 if problem and not request.htmx else 200)


@login_required
@require_GET
def session_ics(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = access.session_for_participant(request.user, str(session_id))
    body = feeds.calendar(str(session.cohort), [session], with_links=True)
    return _calendar_response(body, f"workshop-{session.number}.ics")


@login_required
@require_POST
def calendar_subscription(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    """Make, replace or stop the viewer's own subscription address."""
    cohort = access.cohort_for_participant(request.user, str(cohort_id))
    target = _feed_target(request.user, cohort)
    action = request.POST.get("action", "")
    if action == "subscribe":
        workshops.feed_for(request.user, **target)
        messages.success(request, "Your calendar address is below. Keep it to yourself: anyone with it sees the feed.")
    elif action == "regenerate":
        workshops.regenerate_feed(request.user, **target)
        messages.success(request, "New calendar address made; the old one no longer works, so subscribe again.")
    elif action == "revoke":
        workshops.revoke_feeds(request.user, **target)
        messages.success(request, "Your calendar address no longer works.")
    else:
        messages.error(request, "Choose to get, replace or stop your calendar address.")
    return redirect(_sessions_url(cohort) + "#calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A subscription: the token is the key, checked with its owner's current rights on every fetch."""
    feed = workshops.feed_by_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    return _calendar_response(*_feed_body(feed))


def _feed_body(feed: CalendarFeed) -> tuple[bytes, str]:
    if feed.cohort is not None:
        cohort = feed.cohort
        rows = Session.objects.filter(cohort=cohort).select_related("cohort__programme")
        return feeds.calendar(str(cohort), rows, with_links=True), f"{cohort.slug}-workshops.ics"
    enrolment: Enrolment = feed.enrolment  # type: ignore[assignment]  # the constraint: cohort or enrolment
    rows = Session.objects.filter(cohort=enrolment.cohort_id).select_related("cohort__programme")
    bookings = CheckInBooking.objects.filter(enrolment=enrolment, cancelled_at__isnull=True).select_related(
        "slot__facilitator"
    )
    body = feeds.calendar(f"{enrolment.cohort}: my calendar", rows, with_links=True, bookings=bookings)
    return body, "my-workshops.ics"
