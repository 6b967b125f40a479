"""The figures on a cohort's staff dashboard, read in a fixed number of queries however many learners it has.

Counting happens in the database (grouped aggregates and annotations), never by
walking enrolments in Python, so a cohort of 200 costs the same queries as one of 2.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from credo.programmes import staff_words
from credo.programmes.models import (
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentState,
    Invoice,
    InvoiceState,
    Session,
)
from credo.programmes.services import study
from credo.programmes.services.cohorts import zone

#: No study log for this long and a learner may need a word.
QUIET_DAYS = 14
#: Learners who are studying, and so may fall behind.
STUDYING = (EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)


@dataclass(frozen=True)
class Bar:
    """One labelled count, drawn as a bar of the chart and listed in its table."""

    label: str
    value: int


@dataclass(frozen=True)
class SessionAttendance:
    session: Session
    present: int
    absent: int


@dataclass(frozen=True)
class Nudge:
    """A learner who may need a word, and why (one or more reasons, in words)."""

    enrolment: Enrolment
    hours_logged: Decimal
    reasons: list[str]


@dataclass(frozen=True)
class CohortFigures:
    by_state: list[Bar]
    by_fee_tier: list[Bar]
    invoiced: dict[str, Decimal]
    attendance: list[SessionAttendance]
    nudges: list[Nudge]
    expected_hours: Decimal
    today: datetime.date

    @property
    def registrations(self) -> int:
        return sum(bar.value for bar in self.by_state)


def expected_hours(cohort: Cohort, today: datetime.date) -> Decimal:
    """The learner's page's measure (``study.expected_hours``), so staff and learner never disagree."""
    return study.expected_hours(cohort, today)


def cohort_figures(cohort: Cohort, *, now: datetime.datetime | None = None) -> CohortFigures:
    now = now or timezone.now()
    today = timezone.localdate(now, zone(cohort.time_zone))
    enrolments = Enrolment.objects.filter(cohort=cohort)
    states = dict(enrolments.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    tiers = (
        cohort.fee_tiers.annotate(n=Count("enrolments", filter=~Q(enrolments__state=EnrolmentState.DEFERRED)))
        .order_by("amount", "code")
        .values_list("name", "n")
    )
    totals = dict(
        Invoice.objects.filter(enrolment__cohort=cohort)
        .values_list("state")
        .annotate(total=Sum("total"))
        .values_list("state", "total")
    )
    return CohortFigures(
        by_state=[Bar(staff_words.enrolment_state(state), states.get(state.value, 0)) for state in EnrolmentState],
        by_fee_tier=[Bar(name, n) for name, n in tiers],
        invoiced={
            staff_words.invoice_state(state): totals.get(state.value) or Decimal("0.00") for state in InvoiceState
        },
        attendance=_attendance(cohort),
        nudges=_nudges(cohort, now, today),
        expected_hours=expected_hours(cohort, today),
        today=today,
    )


def _attendance(cohort: Cohort) -> list[SessionAttendance]:
    sessions = cohort.sessions.annotate(
        present=Count("attendance", filter=Q(attendance__present=True)),
        absent=Count("attendance", filter=Q(attendance__present=False)),
    ).order_by("number")
    return [SessionAttendance(session, session.present, session.absent) for session in sessions]


def _nudges(cohort: Cohort, now: datetime.datetime, today: datetime.date) -> list[Nudge]:
    if today < cohort.study_starts:
        return []  # nobody can be behind before study starts
    expected = expected_hours(cohort, today)
    held = Session.objects.filter(cohort=cohort, cancelled_at__isnull=True, ends_at__lte=now)
    # Counted in a subquery: joined beside the study log, each absence would be counted once per log entry.
    absences = (
        Attendance.objects.filter(enrolment=OuterRef("pk"), session__in=held, present=False)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows: Any = (
        Enrolment.objects.filter(cohort=cohort, state__in=STUDYING)
        .select_related("learner")
        .annotate(
            last_logged=Max("study_log__day"),
            hours_logged=Sum("study_log__hours"),
            missed=Coalesce(Subquery(absences), 0),
        )
        .order_by("learner__full_name", "learner__email")
    )
    sessions_held = held.count()
    # After study ends nobody is expected to keep logging: a quiet spell counts up to the last day of study.
    quiet_since = min(today, cohort.study_ends) - datetime.timedelta(days=QUIET_DAYS)
    nudges = []
    for enrolment in rows:
        hours = enrolment.hours_logged or Decimal("0")
        reasons = []
        studied_long_enough = today - cohort.study_starts >= datetime.timedelta(days=QUIET_DAYS)
        if studied_long_enough and (enrolment.last_logged is None or enrolment.last_logged < quiet_since):
            reasons.append(f"No study logged in {QUIET_DAYS} days")
        if enrolment.missed:
            reasons.append(f"Missed {enrolment.missed} of {sessions_held} workshops so far")
        if hours < expected:
            reasons.append(f"Behind on hours: {_hours(hours)} of {_hours(expected)} expected")
        if reasons:
            nudges.append(Nudge(enrolment, hours, reasons))
    return nudges


def _hours(amount: Decimal) -> str:
    """2.50 as "2.5" and 4.0 as "4": hours as people write them."""
    return f"{amount.normalize():f}"


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A horizontal SVG bar chart the template draws (no script); the table beside it says the same in words."""

    id: str
    title: str
    bars: list[ChartBar]
    height: int


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, width: int = 320, row: int = 30) -> Chart:
    most = max((bar.value for bar in bars), default=0) or 1
    drawn = [
        ChartBar(bar.label, bar.value, index * row, round(width * bar.value / most)) for index, bar in enumerate(bars)
    ]
    return Chart(chart_id, title, drawn, max(row, row * len(bars)))
