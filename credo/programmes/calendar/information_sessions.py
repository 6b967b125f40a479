"""iCalendar (RFC 5545) for information sessions, as ``calendar.feeds`` writes workshops: UTC times, a stable UID."""

from __future__ import annotations

import datetime

from icalendar import Calendar, Event

from credo.programmes.calendar.feeds import PRODID, host
from credo.programmes.models import InformationSession


def information_session_ics(session: InformationSession, *, with_link: bool) -> bytes:
    """One session's calendar; the joining link only for the people who signed up (it is not on the public page)."""
    event = Event()
    event.add("uid", f"information-session-{session.public_id}@{host()}")
    event.add("dtstamp", session.created_at.astimezone(datetime.UTC))
    event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
    event.add("dtend", session.ends_at.astimezone(datetime.UTC))
    event.add("status", "CONFIRMED")
    event.add("summary", f"{session.title}: {session.programme.name}")
    description = [f"{session.title} about {session.programme.name}, {session.programme.provider.name}."]
    if session.hosts:
        description.append(f"Held by {session.hosts}.")
    if with_link and session.meeting_url:
        event.add("url", session.meeting_url)
        event.add("location", session.meeting_url)
        description.append(f"Join online: {session.meeting_url}")
    event.add("description", "\n".join(description))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(event)
    return cal.to_ical()
