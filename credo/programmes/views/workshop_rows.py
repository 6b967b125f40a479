"""Workshops as the cohort page and the learner's enrolment page show them: in the cohort's zone, and in the
viewer's own when that differs; a deadline with its zone named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format

from credo.programmes.models import Cohort, Session
from credo.programmes.services import cohorts, workshops


def when(moment: datetime.datetime, zone_name: str) -> str:
    local = timezone.localtime(moment, cohorts.zone(zone_name))
    return f"{date_format(local, 'l j F Y, g:i A')} ({zone_name})"


@dataclass(frozen=True)
class SessionRow:
    """A workshop as the page shows it: in the cohort's zone, and in the viewer's own when that differs."""

    session: Session
    cohort_time: str
    viewer_time: str
    #: Online, at a venue, or both; never the meeting link, which only enrolled learners see.
    place: str


def _place(session: Session) -> str:
    if session.meeting_url and session.venue:
        return f"At {session.venue}, or online"
    if session.venue:
        return f"At {session.venue}"
    if session.meeting_url:
        return "Online"
    return "Place to be confirmed"


def session_rows(cohort: Cohort, viewer_zone: str, sessions: list[Session]) -> list[SessionRow]:
    shown_zone = viewer_zone if viewer_zone and viewer_zone != cohort.time_zone else ""
    return [
        SessionRow(
            session=session,
            # Start and end, as the seed writes them: "Wednesday 3 April, 12:00-13:30 NZDT".
            cohort_time=workshops.span(session, cohort.time_zone),
            viewer_time=workshops.span(session, shown_zone) if shown_zone else "",
            place=_place(session),
        )
        for session in sessions
    ]


def viewer_zone(request: HttpRequest) -> str:
    zone_name = getattr(request.user, "time_zone", "")
    try:
        return cohorts.zone(zone_name).key if zone_name else ""
    except ValidationError:  # a stale or mistyped profile zone: show the cohort's only
        return ""
