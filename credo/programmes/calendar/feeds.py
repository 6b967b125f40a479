"""iCalendar (RFC 5545) for workshops and check-ins: one session's .ics, a cohort's feed, a learner's feed.

Times are written in UTC (a 'Z' time needs no VTIMEZONE and every client reads
it), so a session on the day New Zealand leaves daylight saving lands at the
right moment. UIDs are stable (the session's public id at this site's host) and
SEQUENCE rises with every change, so a subscribed calendar replaces its copy
rather than adding a second; a cancelled session stays, with STATUS:CANCELLED.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from credo.programmes.models import CheckInBooking, Session

PRODID = "-//credo//workshops//EN"


def host() -> str:
    return urlparse(settings.SITE_URL).hostname or "credo.invalid"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def session_event(session: Session, *, with_link: bool) -> Event:
    """A VEVENT for a session; the meeting link only for people allowed to see it."""
    event = Event()
    event.add("uid", f"{session.public_id}@{host()}")
    event.add("dtstamp", _utc(session.updated_at or timezone.now()))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("sequence", session.sequence)
    event.add("summary", f"{session}: {session.cohort.programme.name}")
    description = [f"{session.cohort}, workshop {session.number}: {session.topic}"]
    if session.cancelled_at is not None:
        event.add("status", "CANCELLED")
        description.append(f"Cancelled: {session.cancel_reason}")
    else:
        event.add("status", "CONFIRMED")
    if session.venue:
        event.add("location", session.venue)
    if with_link and session.meeting_url:
        event.add("url", session.meeting_url)
        if not session.venue:
            event.add("location", session.meeting_url)
        description.append(f"Join online: {session.meeting_url}")
    event.add("description", "\n".join(description))
    return event


def check_in_event(booking: CheckInBooking) -> Event:
    slot = booking.slot
    event = Event()
    event.add("uid", f"check-in-{booking.pk}@{host()}")
    event.add("dtstamp", _utc(booking.booked_at))
    event.add("dtstart", _utc(slot.starts_at))
    event.add("dtend", _utc(slot.ends_at))
    event.add("status", "CONFIRMED")
    facilitator = slot.facilitator.full_name or slot.facilitator.email
    event.add("summary", f"1:1 check-in with {facilitator}")
    if slot.meeting_url:
        event.add("url", slot.meeting_url)
        event.add("location", slot.meeting_url)
    return event


def calendar(
    name: str, sessions: Iterable[Session], *, with_links: bool, bookings: Iterable[CheckInBooking] = ()
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for session in sessions:
        cal.add_component(session_event(session, with_link=with_links))
    for booking in bookings:
        cal.add_component(check_in_event(booking))
    return cal.to_ical()
