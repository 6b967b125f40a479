"""iCalendar output, parsed back with icalendar: stable UIDs, UTC times across the DST change, SEQUENCE, STATUS."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from credo.accounts.models import User
from credo.programmes.calendar import feeds
from credo.programmes.models import Cohort, Session
from credo.programmes.services import workshops

from .workshops_builders import ZOOM, details

# The shared workshop fixtures (session, enrolled, cohort_facilitator, the refused people).
pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

NZ_DST_ENDS = datetime.date(2024, 4, 7)  # clocks went back at 03:00 NZDT to 02:00 NZST


def events(ics: bytes) -> list[Calendar]:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def test_a_session_on_the_day_new_zealand_leaves_daylight_saving_lands_at_the_right_moments(
    cohort: Cohort, provider_admin: User
) -> None:
    # Before the change (09:00 NZDT = 20:00 UTC the day before), and after it (12:00 NZST = 00:00 UTC).
    early = workshops.add_session(
        cohort,
        actor=provider_admin,
        number=1,
        details=details(NZ_DST_ENDS, starts=datetime.time(1, 0), ends=datetime.time(4, 0)),
    )
    noon = workshops.add_session(cohort, actor=provider_admin, number=2, details=details(NZ_DST_ENDS))
    early_event, noon_event = events(feeds.calendar("CLD", [early, noon], with_links=True))
    # 01:00 NZDT (UTC+13) to 04:00 NZST (UTC+12) is four hours, not three.
    assert early_event.decoded("dtstart") == datetime.datetime(2024, 4, 6, 12, 0, tzinfo=datetime.UTC)
    assert early_event.decoded("dtend") == datetime.datetime(2024, 4, 6, 16, 0, tzinfo=datetime.UTC)
    assert noon_event.decoded("dtstart") == datetime.datetime(2024, 4, 7, 0, 0, tzinfo=datetime.UTC)
    assert noon_event.decoded("dtend") == datetime.datetime(2024, 4, 7, 1, 30, tzinfo=datetime.UTC)


def test_a_vevent_carries_a_stable_uid_dtstamp_sequence_status_and_the_link(session: Session) -> None:
    (event,) = events(feeds.calendar("CLD", [session], with_links=True))
    assert str(event["uid"]) == f"{session.public_id}@127.0.0.1"
    assert isinstance(event.decoded("dtstamp"), datetime.datetime)
    assert event.decoded("sequence") == 0
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["url"]) == ZOOM
    assert str(event["summary"]).startswith("Workshop 1: Exploring community-led development frameworks")


def test_without_links_the_meeting_url_appears_nowhere(session: Session) -> None:
    ics = feeds.calendar("CLD", [session], with_links=False)
    assert ZOOM.encode() not in ics
    (event,) = events(ics)
    assert "url" not in event


def test_a_changed_then_cancelled_session_keeps_its_uid_with_a_higher_sequence(
    session: Session, provider_admin: User
) -> None:
    uid = f"{session.public_id}@127.0.0.1"
    moved = workshops.change_session(
        session, actor=provider_admin, details=details(datetime.date(2024, 4, 10), "Frameworks, rescheduled")
    )
    cancelled = workshops.cancel_session(moved, actor=provider_admin, reason="Facilitator unwell")
    (event,) = events(feeds.calendar("CLD", [cancelled], with_links=True))
    assert str(event["uid"]) == uid
    assert event.decoded("sequence") == 2
    assert str(event["status"]) == "CANCELLED"
    assert "Facilitator unwell" in str(event["description"])
    assert event.decoded("dtstart") == datetime.datetime(2024, 4, 10, 0, 0, tzinfo=datetime.UTC)
