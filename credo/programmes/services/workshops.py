"""Workshops: a cohort's numbered sessions, their changes and cancellations, attendance, and calendar feeds.

A session's times are entered as a day and wall-clock times in the cohort's zone
(Wednesday 3 April, 12:00-13:30 in Pacific/Auckland) and stored as moments, so a
daylight-saving change falls where it belongs. Every change raises the session's
iCalendar SEQUENCE, so calendars that subscribed replace their copy, and the
learners holding a place are told by email once the change commits.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from credo.audit.services import record_event
from credo.programmes.access import is_facilitator, is_programme_admin
from credo.programmes.models import Attendance, CalendarFeed, Cohort, Enrolment, Session
from credo.programmes.services.cohorts import local_moment, zone
from credo.programmes.services.enrolments import HOLDING_A_PLACE, tell

SHORTEST = datetime.timedelta(minutes=15)
LONGEST = datetime.timedelta(hours=8)
#: A cohort's sessions fall between registration opening and this long after the submission deadline.
LAST_SESSION_GRACE = datetime.timedelta(days=31)


@dataclass(frozen=True)
class SessionDetails:
    """What an admin enters for a session: the day and times are wall-clock times in the cohort's zone."""

    topic: str
    day: datetime.date
    starts: datetime.time
    ends: datetime.time
    meeting_url: str = ""
    venue: str = ""


def require_session_admin(actor: Any, cohort: Cohort) -> None:
    if not is_programme_admin(actor, cohort):
        raise PermissionDenied(f"Only {cohort.programme.provider}'s programme admins set up its workshops.")


def require_attendance_taker(actor: Any, cohort: Cohort) -> None:
    if not (is_programme_admin(actor, cohort) or is_facilitator(actor, cohort)):
        raise PermissionDenied("Only the cohort's facilitators and the provider's programme admins take attendance.")


def learners_of(cohort: Cohort) -> list[Enrolment]:
    """The learners holding a place in the cohort: the people a session is for."""
    return list(
        cohort.enrolments.filter(state__in=HOLDING_A_PLACE)
        .select_related("learner", "cohort__programme__provider")
        .order_by("learner__full_name", "learner__email")
    )


def _moments(cohort: Cohort, details: SessionDetails) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end as moments, with every problem named by the field to fix."""
    problems: dict[str, str] = {}
    if not details.topic.strip():
        problems["topic"] = "Give the session a topic: learners see it in their calendar."
    if not details.meeting_url.strip() and not details.venue.strip():
        problems["meeting_url"] = "Give an online meeting link or a venue, so learners know where to go."
    starts_at = local_moment(details.day, details.starts, cohort.time_zone)
    ends_at = local_moment(details.day, details.ends, cohort.time_zone)
    length = ends_at - starts_at
    if length <= datetime.timedelta(0):
        problems["ends"] = "The session must end after it starts (on the same day)."
    elif length < SHORTEST:
        problems["ends"] = "A session lasts at least 15 minutes."
    elif length > LONGEST:
        problems["ends"] = "A session lasts at most 8 hours; split a longer day into two sessions."
    first = timezone.localtime(cohort.registration_opens, zone(cohort.time_zone)).date()
    last = timezone.localtime(cohort.submission_deadline + LAST_SESSION_GRACE, zone(cohort.time_zone)).date()
    if not first <= details.day <= last:
        problems["day"] = f"Choose a day between {first:%-d %B %Y} and {last:%-d %B %Y}, while the cohort runs."
    if problems:
        raise ValidationError(problems)
    return starts_at, ends_at


@transaction.atomic
def add_session(cohort: Cohort, *, actor: Any, number: int, details: SessionDetails) -> Session:
    require_session_admin(actor, cohort)
    cohort = Cohort.objects.select_for_update().select_related("programme__provider").get(pk=cohort.pk)
    starts_at, ends_at = _moments(cohort, details)
    if number < 1:
        raise ValidationError({"number": "Number sessions from 1."})
    if cohort.sessions.filter(number=number).exists():
        raise ValidationError({"number": f"This cohort already has a session {number}; choose another number."})
    session = Session(
        cohort=cohort,
        number=number,
        topic=details.topic.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        meeting_url=details.meeting_url.strip(),
        venue=details.venue.strip(),
    )
    session.full_clean()
    session.save()
    record_event(
        actor=actor,
        action="programmes.session_added",
        obj=session,
        organisation_id=cohort.programme.provider_id,
        details={"number": number, "topic": session.topic, "starts_at": starts_at, "ends_at": ends_at},
    )
    return session


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("cohort__programme__provider").get(pk=session.pk)


@transaction.atomic
def change_session(session: Session, *, actor: Any, details: SessionDetails) -> Session:
    """Change a session's topic, time or place; learners are told what changed, in the cohort's zone."""
    require_session_admin(actor, session.cohort)
    session = _locked(session)
    if session.cancelled_at is not None:
        raise ValidationError("This session was cancelled; add a new session instead of changing it.")
    starts_at, ends_at = _moments(session.cohort, details)
    before = {"topic": session.topic, "starts_at": session.starts_at, "ends_at": session.ends_at,
              "meeting_url": session.meeting_url, "venue": session.venue}  # fmt: skip
    after = {"topic": details.topic.strip(), "starts_at": starts_at, "ends_at": ends_at,
             "meeting_url": details.meeting_url.strip(), "venue": details.venue.strip()}  # fmt: skip
    changed = {name for name in after if after[name] != before[name]}
    if not changed:
        raise ValidationError("Nothing changed: edit the time, topic, link or venue, or leave the session as it is.")
    for name, value in after.items():
        setattr(session, name, value)
    session.sequence += 1
    session.full_clean()
    session.save()
    record_event(
        actor=actor,
        action="programmes.session_changed",
        obj=session,
        organisation_id=session.cohort.programme.provider_id,
        details={"changed": sorted(changed), "before": before, "after": after, "sequence": session.sequence},
    )
    lines = [f"{session} of {session.cohort} has changed.", "", f"When: {cohort_time(session)}"]
    if session.venue:
        lines.append(f"Where: {session.venue}")
    if session.meeting_url:
        lines.append(f"Online: {session.meeting_url}")
    lines += ["", "If you subscribed to the cohort calendar, it updates by itself."]
    for enrolment in learners_of(session.cohort):
        tell(enrolment, f"Changed: {session}", lines)
    return session


@transaction.atomic
def cancel_session(session: Session, *, actor: Any, reason: str, now: datetime.datetime | None = None) -> Session:
    require_session_admin(actor, session.cohort)
    session = _locked(session)
    if session.cancelled_at is not None:
        raise ValidationError("This session is already cancelled.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the session is cancelled: learners are told the reason."})
    session.cancelled_at = now or timezone.now()
    session.cancel_reason = reason.strip()
    session.sequence += 1
    session.save(update_fields=["cancelled_at", "cancel_reason", "sequence", "updated_at"])
    record_event(
        actor=actor,
        action="programmes.session_cancelled",
        obj=session,
        organisation_id=session.cohort.programme.provider_id,
        details={"reason": session.cancel_reason, "was_at": session.starts_at},
    )
    lines = [f"{session} of {session.cohort}, {cohort_time(session)}, is cancelled.", "", session.cancel_reason]
    for enrolment in learners_of(session.cohort):
        tell(enrolment, f"Cancelled: {session}", lines)
    return session


@transaction.atomic
def record_attendance(
    session: Session, *, actor: Any, present: dict[int, bool], now: datetime.datetime | None = None
) -> list[Attendance]:
    """Record who came, by enrolment id; only learners holding a place, and only once the session has started."""
    require_attendance_taker(actor, session.cohort)
    session = _locked(session)
    if session.cancelled_at is not None:
        raise ValidationError("This session was cancelled: there is no attendance to record.")
    if (now or timezone.now()) < session.starts_at:
        raise ValidationError("Attendance can be recorded once the session has started.")
    learners = {enrolment.pk: enrolment for enrolment in learners_of(session.cohort)}
    strangers = sorted(set(present) - set(learners))
    if strangers:
        raise ValidationError(
            {"present": f"Not learners of this cohort: enrolment {', '.join(map(str, strangers))}. Reload the page."}
        )
    marks = []
    for enrolment_id, came in present.items():
        mark, _created = Attendance.objects.update_or_create(
            session=session, enrolment_id=enrolment_id, defaults={"present": came, "recorded_by": actor}
        )
        marks.append(mark)
    record_event(
        actor=actor,
        action="programmes.attendance_recorded",
        obj=session,
        organisation_id=session.cohort.programme.provider_id,
        details={
            "present": sorted(learners[pk].learner.email for pk, came in present.items() if came),
            "absent": sorted(learners[pk].learner.email for pk, came in present.items() if not came),
        },
    )
    return marks


# Showing times -------------------------------------------------------------------------------------


def _span(session: Session, zone_name: str) -> str:
    """'Wednesday 3 April, 12:00-13:30 NZDT' in the zone (with an en dash between the times)."""
    starts = timezone.localtime(session.starts_at, zone(zone_name))
    ends = timezone.localtime(session.ends_at, zone(zone_name))
    return f"{date_format(starts, 'l j F')}, {starts:%H:%M}\u2013{ends:%H:%M} {ends.tzname()}"


def cohort_time(session: Session) -> str:
    return _span(session, session.cohort.time_zone)


def span(session: Session, zone_name: str) -> str:
    """'Wednesday 3 April, 12:00-13:30 NZDT': the session's day, start and end in a zone."""
    return _span(session, zone_name)


def viewer_zone(viewer: Any) -> str:
    """The viewer's own zone when they set one and it is a real zone; '' means 'show the cohort's only'."""
    name = getattr(viewer, "time_zone", "") or ""
    try:
        zone(name)
    except ValidationError:
        return ""
    return name


def both_times(session: Session, viewer: Any) -> str:
    """The cohort's time, and the viewer's own where it reads differently:
    'Wednesday 3 April, 12:00-13:30 NZDT (your time: Tuesday 2 April, 23:00-00:30 GMT)'."""
    theirs = viewer_zone(viewer)
    ours = cohort_time(session)
    if not theirs:
        return ours
    own = _span(session, theirs)
    return ours if own == ours else f"{ours} (your time: {own})"


# Calendar feeds ------------------------------------------------------------------------------------


def may_hold_cohort_feed(user: Any, cohort: Cohort) -> bool:
    return is_programme_admin(user, cohort) or is_facilitator(user, cohort)


def may_hold_learner_feed(user: Any, enrolment: Enrolment) -> bool:
    return enrolment.learner_id == getattr(user, "pk", None) and enrolment.state in HOLDING_A_PLACE


def current_feed(
    owner: Any, *, cohort: Cohort | None = None, enrolment: Enrolment | None = None
) -> CalendarFeed | None:
    feeds = CalendarFeed.objects.filter(owner=owner, revoked_at__isnull=True)
    feeds = feeds.filter(cohort=cohort) if cohort is not None else feeds.filter(enrolment=enrolment)
    return feeds.order_by("-created_at").first()


def _require_feed_owner(owner: Any, cohort: Cohort | None, enrolment: Enrolment | None) -> None:
    if (cohort is None) == (enrolment is None):
        raise ValueError("A calendar feed is for a cohort or for a learner's enrolment, not both.")
    if cohort is not None and not may_hold_cohort_feed(owner, cohort):
        raise PermissionDenied("The cohort's calendar is for its facilitators and programme admins.")
    if enrolment is not None and not may_hold_learner_feed(owner, enrolment):
        raise PermissionDenied("A learner's calendar is theirs alone, while they hold a place in the cohort.")


@transaction.atomic
def feed_for(owner: Any, *, cohort: Cohort | None = None, enrolment: Enrolment | None = None) -> CalendarFeed:
    """The owner's live subscription address, made on first request."""
    _require_feed_owner(owner, cohort, enrolment)
    feed = current_feed(owner, cohort=cohort, enrolment=enrolment)
    if feed is None:
        feed = CalendarFeed.objects.create(
            token=secrets.token_urlsafe(32), owner=owner, cohort=cohort, enrolment=enrolment
        )
    return feed


@transaction.atomic
def revoke_feeds(
    owner: Any,
    *,
    cohort: Cohort | None = None,
    enrolment: Enrolment | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Stop the owner's subscription address from working (e.g. after sharing it by mistake)."""
    feeds = CalendarFeed.objects.filter(owner=owner, revoked_at__isnull=True)
    feeds = feeds.filter(cohort=cohort) if cohort is not None else feeds.filter(enrolment=enrolment)
    return feeds.update(revoked_at=now or timezone.now())


@transaction.atomic
def regenerate_feed(owner: Any, *, cohort: Cohort | None = None, enrolment: Enrolment | None = None) -> CalendarFeed:
    """A new secret address; the old one stops working, so calendars must subscribe again."""
    _require_feed_owner(owner, cohort, enrolment)
    revoke_feeds(owner, cohort=cohort, enrolment=enrolment)
    return feed_for(owner, cohort=cohort, enrolment=enrolment)


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed with this token, if its owner may still see what it shows (roles and places change)."""
    feed = (
        CalendarFeed.objects.select_related("owner", "cohort__programme__provider", "enrolment__cohort")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return None
    if feed.cohort is not None and may_hold_cohort_feed(feed.owner, feed.cohort):
        return feed
    if feed.enrolment is not None and may_hold_learner_feed(feed.owner, feed.enrolment):
        return feed
    return None
