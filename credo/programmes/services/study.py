"""A learner's study: the hours they log, how that compares with the cohort's guideline, and what comes next.

The NZ programme asks for about 2 hours a week over 5 months. Progress compares
the hours logged with the guideline multiplied by the weeks of study elapsed,
counted in the cohort's own calendar (a day in Auckland, wherever the learner is).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from credo.programmes.models import Cohort, Enrolment, Session, StudyLogEntry
from credo.programmes.services.cohorts import zone
from credo.programmes.services.enrolments import HOLDING_A_PLACE

MIN_HOURS = Decimal("0.25")
MAX_HOURS_A_DAY = Decimal("24")
TENTH = Decimal("0.1")
CENT = Decimal("0.01")


def hours_text(hours: Decimal) -> str:
    """Hours as people write them: 2, 2.5, 1.25 (databases sum decimals to differing exponents)."""
    return f"{hours.quantize(CENT).normalize():f}"


def cohort_today(enrolment: Enrolment, now: datetime.datetime | None = None) -> datetime.date:
    """Today in the cohort's calendar: a learner abroad logs against the programme's days."""
    return timezone.localdate(now or timezone.now(), zone(enrolment.cohort.time_zone))


def _hours(value: Decimal | str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"hours": "Give the hours as a number, e.g. 1.5."}) from None


@transaction.atomic
def log_hours(
    enrolment: Enrolment,
    *,
    actor: Any,
    day: datetime.date,
    hours: Decimal | str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> StudyLogEntry:
    """Record hours the learner studied on ``day``; only the learner logs their own hours, while holding a place.

    Takes a lock on the enrolment, so two entries for one day sent at once cannot together pass 24 hours.
    """
    if actor != enrolment.learner:
        raise PermissionDenied("Only the learner logs their own study hours.")
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if enrolment.state not in HOLDING_A_PLACE:
        raise ValidationError(f"This enrolment is {enrolment.get_state_display().lower()}; hours are not logged.")
    amount = _hours(hours)
    problems: dict[str, str] = {}
    if not amount.is_finite() or not MIN_HOURS <= amount <= MAX_HOURS_A_DAY:
        problems["hours"] = "Give the hours as a number from 0.25 (a quarter of an hour) to 24."
    elif amount % MIN_HOURS:
        problems["hours"] = "Give the hours in quarter hours, e.g. 1.25 or 2.5."
    today = cohort_today(enrolment, now)
    opened = timezone.localdate(enrolment.cohort.registration_opens, zone(enrolment.cohort.time_zone))
    if day > today:
        problems["day"] = f"The day cannot be in the future: today is {today:%-d %B %Y} in the cohort's time zone."
    elif day < opened:
        problems["day"] = f"The day cannot be before registration opened on {opened:%-d %B %Y}."
    if problems:
        raise ValidationError(problems)
    logged = enrolment.study_log.filter(day=day).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if logged + amount > MAX_HOURS_A_DAY:
        raise ValidationError(
            {"hours": f"You already logged {hours_text(logged)} h on {day:%-d %B %Y}; a day has 24 hours."}
        )
    entry = StudyLogEntry(enrolment=enrolment, day=day, hours=amount, note=note.strip())
    entry.full_clean()
    entry.save()
    return entry


@dataclass(frozen=True)
class Progress:
    """Hours logged against the guideline so far (``expected``) and over the whole study period (``planned``)."""

    logged: Decimal
    expected: Decimal
    planned: Decimal
    weekly_guideline: Decimal
    weeks_elapsed: Decimal

    @property
    def on_track(self) -> bool:
        return self.logged >= self.expected

    @property
    def guideline(self) -> str:
        return (
            f"The guideline is {hours_text(self.weekly_guideline)} h a week: "
            f"{hours_text(self.planned)} h over the whole study period."
        )

    @property
    def summary(self) -> str:
        logged = hours_text(self.logged)
        if self.expected == 0:
            return f"{logged} h logged; study has not started yet."
        verdict = "on track" if self.on_track else f"{hours_text(self.expected - self.logged)} h behind"
        return (
            f"{logged} h logged of the {hours_text(self.expected)} h expected by now "
            f"({hours_text(self.weekly_guideline)} h a week over {hours_text(self.weeks_elapsed)} weeks): {verdict}."
        )


def _weeks(days: int) -> Decimal:
    return (Decimal(days) / 7).quantize(TENTH, rounding=ROUND_HALF_UP)


def expected_hours(cohort: Cohort, today: datetime.date) -> Decimal:
    """Hours at the guideline pace by the end of ``today``: the one measure learners and staff both see."""
    length = (cohort.study_ends - cohort.study_starts).days + 1
    elapsed = min(max((today - cohort.study_starts).days + 1, 0), length)
    return (cohort.weekly_hours_guideline * _weeks(elapsed)).quantize(TENTH, rounding=ROUND_HALF_UP)


def progress(enrolment: Enrolment, now: datetime.datetime | None = None) -> Progress:
    """One query: the hours logged, against the guideline times the weeks of study elapsed (capped at the end)."""
    cohort = enrolment.cohort
    today = cohort_today(enrolment, now)
    length = (cohort.study_ends - cohort.study_starts).days + 1
    elapsed = min(max((today - cohort.study_starts).days + 1, 0), length)
    logged = (enrolment.study_log.aggregate(total=Sum("hours"))["total"] or Decimal(0)).quantize(CENT)
    guideline = cohort.weekly_hours_guideline
    return Progress(
        logged=logged,
        expected=expected_hours(cohort, today),
        planned=(guideline * _weeks(length)).quantize(TENTH, rounding=ROUND_HALF_UP),
        weekly_guideline=guideline,
        weeks_elapsed=_weeks(elapsed),
    )


@dataclass(frozen=True)
class Timeline:
    """What comes next for a learner: the next workshop, check-ins, the deadline and the assessment window."""

    next_workshop: Session | None
    check_ins_used: int
    check_ins_allowed: int
    submission_deadline: datetime.datetime
    assessment_starts: datetime.date
    assessment_ends: datetime.date

    @property
    def check_ins_left(self) -> int:
        return max(0, self.check_ins_allowed - self.check_ins_used)


def timeline(enrolment: Enrolment, now: datetime.datetime | None = None) -> Timeline:
    """Two queries, however many workshops and bookings the cohort has."""
    cohort = enrolment.cohort
    now = now or timezone.now()
    upcoming = cohort.sessions.filter(cancelled_at__isnull=True, ends_at__gt=now).order_by("starts_at").first()
    return Timeline(
        next_workshop=upcoming,
        check_ins_used=enrolment.check_ins.filter(cancelled_at__isnull=True).count(),
        check_ins_allowed=cohort.check_ins_allowed,
        submission_deadline=cohort.submission_deadline,
        assessment_starts=cohort.assessment_starts,
        assessment_ends=cohort.assessment_ends,
    )
