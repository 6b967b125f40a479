"""Workshops: a cohort's numbered sessions, their changes and cancellations, attendance, and calendar feeds.

A session's times are entered as a day and wall-clock times in the cohort's zone
(Wednesday 3 April, 12:00-13:30 in Pacific/Auckland) and stored as moments, so a
daylight-saving change falls where it belongs. Every change raises the session's
iCalendar SEQUENCE, so calendars that subscribed replace their copy, and the
learners holding a place and the cohort's facilitators (except whoever made the
change) are told by email once the change commits. Learners are reminded once
the day before each session; moving a session sends the reminder again.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes.access.common import is_facilitator, is_programme_admin
from credo.programmes.models import Attendance, CalendarFeed, Cohort, Enrolment, Session
from credo.programmes.services.cohorts import local_moment, zone
from credo.programmes.services.enrolments import HOLDING_A_PLACE, tell
from credo.programmes.services.funding import cohort_facilitators

SHORTEST = datetime.timedelta(minutes=15)
LONGEST = datetime.timedelta(hours=8)
#: A cohort's sessions fall between registration opening and this long after the submission deadline.
LAST_SESSION_GRACE = datetime.timedelta(days=31)
#: Learners are reminded of a session starting within this long.
REMINDER_AHEAD = datetime.timedelta(hours=24)


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
    for enrolment in learners_of(cohort):
        _tell_added(enrolment, session)
    return session


def ics_url(session: Session) -> str:
    """The absolute address of one session's .ics file, for emails (built from SITE_URL, like other links)."""
    path = reverse("programmes:session-ics", kwargs={"session_id": session.public_id})
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"


def _tell_added(enrolment: Enrolment, session: Session) -> None:
    """A learner holding a place hears of a new workshop: in their own zone as well as the cohort's, with the file
    that puts it in their calendar (a subscribed calendar picks it up by itself)."""
    lines = [
        f"A new workshop has been added to {session.cohort}: {session}.",
        "",
        f"When: {both_times(session, enrolment.learner)}",
        *_where(session),
        "",
        f"Add it to your calendar: {ics_url(session)}",
        "If you subscribed to your calendar feed, it appears there by itself.",
    ]
    tell(enrolment, f"New workshop: {session} ({cohort_time(session)})", lines)


def _tell_facilitators(session: Session, *, actor: Any, subject: str, lines: list[str]) -> None:
    """Email the cohort's facilitators about a change to a session (each in their own zone too), except ``actor``:
    whoever made the change already knows."""
    greeting = session.cohort.programme.provider.greeting
    for person in cohort_facilitators(session.cohort, leaving_out=actor):
        body = "\n".join(
            [f"{greeting} {person.full_name or person.email},", "", *lines, "", f"When: {both_times(session, person)}"]
        )
        _email_on_commit(subject, body, [person.email])


def _email_on_commit(subject: str, body: str, to: list[str]) -> None:
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=to, from_email=settings.DEFAULT_FROM_EMAIL)
    )


def _where(session: Session) -> list[str]:
    lines = []
    if session.venue:
        lines.append(f"Where: {session.venue}")
    if session.meeting_url:
        lines.append(f"Online: {session.meeting_url}")
    return lines


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
    if changed & {"starts_at", "ends_at"}:
        session.reminder_sent_at = None  # the reminder told the old time: remind again before the new one
    session.full_clean()
    session.save()
    record_event(
        actor=actor,
        action="programmes.session_changed",
        obj=session,
        organisation_id=session.cohort.programme.provider_id,
        details={"changed": sorted(changed), "before": before, "after": after, "sequence": session.sequence},
    )
    lines = [f"{session} of {session.cohort} has changed.", "", f"When: {cohort_time(session)}", *_where(session)]
    lines += ["", "If you subscribed to the cohort calendar, it updates by itself."]
    for enrolment in learners_of(session.cohort):
        tell(enrolment, f"Changed: {session}", lines)
    who = getattr(actor, "full_name", "") or getattr(actor, "email", "a programme admin")
    _tell_facilitators(
        session,
        actor=actor,
        subject=f"Changed: {session} ({session.cohort})",
        lines=[f"{who} changed {session} of {session.cohort}: {', '.join(sorted(changed))}.", *_where(session)],
    )
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
    who = getattr(actor, "full_name", "") or getattr(actor, "email", "a programme admin")
    _tell_facilitators(
        session,
        actor=actor,
        subject=f"Cancelled: {session} ({session.cohort})",
        lines=[f"{who} cancelled {session} of {session.cohort}.", f"Reason: {session.cancel_reason}"],
    )
    return session


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind each learner holding a place of a session starting within ``REMINDER_AHEAD``, once per session;
    returns how many learners were reminded. Safe to run often, and from several workers at once.

    Each session is locked and checked again before its emails are queued, and marked reminded in the same
    transaction, so a second worker waits for the first and then finds nothing to do. Moving a session clears
    the mark (``change_session``), so learners are reminded of the new time.
    """
    now = now or timezone.now()
    window = {
        "cancelled_at__isnull": True,
        "reminder_sent_at__isnull": True,
        "starts_at__gt": now,
        "starts_at__lte": now + REMINDER_AHEAD,
    }
    due = list(Session.objects.filter(**window).order_by("starts_at").values_list("pk", flat=True))
    sent = 0
    for pk in due:
        with transaction.atomic():
            session = (
                Session.objects.select_for_update()
                .select_related("cohort__programme__provider")
                .filter(pk=pk, **window)
                .first()
            )
            if session is None:  # reminded by another worker, cancelled or moved meanwhile
                continue
            for enrolment in learners_of(session.cohort):
                _remind(enrolment, session)
                sent += 1
            # An update, not save(): a reminder is no change to the session (its calendar LAST-MODIFIED stays).
            Session.objects.filter(pk=pk).update(reminder_sent_at=now)
    return sent


def _remind(enrolment: Enrolment, session: Session) -> None:
    lines = [
        f"{session} of {session.cohort} is coming up.",
        "",
        f"When: {both_times(session, enrolment.learner)}",
        *_where(session),
        "",
        "See all the workshops, and add them to your calendar, from your enrolment page.",
    ]
    tell(enrolment, f"Reminder: {session} ({cohort_time(session)})", lines)


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
    return _live_feeds(owner, cohort, enrolment).order_by("-created_at").first()


def _require_feed_owner(owner: Any, cohort: Cohort | None, enrolment: Enrolment | None) -> None:
    _feed_cohort(cohort, enrolment)
    if cohort is not None and not may_hold_cohort_feed(owner, cohort):
        raise PermissionDenied("The cohort's calendar is for its facilitators and programme admins.")
    if enrolment is not None and not may_hold_learner_feed(owner, enrolment):
        raise PermissionDenied("A learner's calendar is theirs alone, while they hold a place in the cohort.")


def _feed_audit(
    owner: Any, action: str, feed: CalendarFeed, *, cohort: Cohort | None, enrolment: Enrolment | None, **details: Any
) -> None:
    """Audit a change to a secret subscription address. The token is the secret itself, so it never goes in the
    log: the feed's id says which address it was."""
    shown = _feed_cohort(cohort, enrolment)
    record_event(
        actor=owner,
        action=f"programmes.calendar_feed_{action}",
        obj=feed,
        organisation_id=shown.programme.provider_id,
        details={
            "for": "cohort" if cohort is not None else "enrolment",
            "cohort": str(shown),
            "enrolment": enrolment.pk if enrolment is not None else None,
            **details,
        },
    )


def _feed_cohort(cohort: Cohort | None, enrolment: Enrolment | None) -> Cohort:
    """The cohort a feed shows: its own, or the learner's enrolment's; refuses both or neither."""
    if enrolment is not None and cohort is None:
        return enrolment.cohort
    if cohort is not None and enrolment is None:
        return cohort
    raise ValueError("A calendar feed is for a cohort or for a learner's enrolment, not both.")


def _live_feeds(owner: Any, cohort: Cohort | None, enrolment: Enrolment | None) -> QuerySet[CalendarFeed]:
    feeds = CalendarFeed.objects.filter(owner=owner, revoked_at__isnull=True)
    return feeds.filter(cohort=cohort) if cohort is not None else feeds.filter(enrolment=enrolment)


def _new_feed(owner: Any, cohort: Cohort | None, enrolment: Enrolment | None) -> CalendarFeed:
    return CalendarFeed.objects.create(token=secrets.token_urlsafe(32), owner=owner, cohort=cohort, enrolment=enrolment)


def _revoke(owner: Any, cohort: Cohort | None, enrolment: Enrolment | None, now: datetime.datetime) -> list[int]:
    """Revoke the owner's live feeds for the target; returns their ids (for the audit record)."""
    live = list(_live_feeds(owner, cohort, enrolment).select_for_update().order_by("pk").values_list("pk", flat=True))
    CalendarFeed.objects.filter(pk__in=live).update(revoked_at=now)
    return live


@transaction.atomic
def feed_for(owner: Any, *, cohort: Cohort | None = None, enrolment: Enrolment | None = None) -> CalendarFeed:
    """The owner's live subscription address, made (and audited) on first request."""
    _require_feed_owner(owner, cohort, enrolment)
    feed = current_feed(owner, cohort=cohort, enrolment=enrolment)
    if feed is None:
        feed = _new_feed(owner, cohort, enrolment)
        _feed_audit(owner, "created", feed, cohort=cohort, enrolment=enrolment)
    return feed


@transaction.atomic
def revoke_feeds(
    owner: Any,
    *,
    cohort: Cohort | None = None,
    enrolment: Enrolment | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Stop the owner's subscription address from working (e.g. after sharing it by mistake); audited when there
    was one to stop."""
    _feed_cohort(cohort, enrolment)  # one or the other: neither would match every feed of the owner
    revoked = _revoke(owner, cohort, enrolment, now or timezone.now())
    if revoked:
        feed = CalendarFeed.objects.get(pk=revoked[-1])
        _feed_audit(owner, "revoked", feed, cohort=cohort, enrolment=enrolment, revoked=revoked)
    return len(revoked)


@transaction.atomic
def regenerate_feed(owner: Any, *, cohort: Cohort | None = None, enrolment: Enrolment | None = None) -> CalendarFeed:
    """A new secret address; the old one stops working, so calendars must subscribe again. One audit event says
    which feeds were replaced by which."""
    _require_feed_owner(owner, cohort, enrolment)
    revoked = _revoke(owner, cohort, enrolment, timezone.now())
    feed = _new_feed(owner, cohort, enrolment)
    _feed_audit(owner, "replaced", feed, cohort=cohort, enrolment=enrolment, revoked=revoked)
    return feed


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
