"""A learner's programmes as they see them: where each stands, in their words, and the next thing to do.

One reading serves the dashboard's learner sections and the "My programmes" page. It costs a fixed number of
queries however many enrolments, invoices, workshops or bookings there are: the enrolments, then one query each
for their next workshops, check-in bookings, invoices, fee support requests and question threads.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Max, OuterRef, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from credo.programmes.access.api import own_enrolments
from credo.programmes.models import (
    CheckInBooking,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    Invoice,
    InvoiceState,
    Session,
    SupportDecision,
    SupportMessage,
    SupportThread,
)
from credo.programmes.services import checkins, workshops
from credo.programmes.services.cohorts import zone

#: Enrolments still under way: the learner has something to do or to wait for.
IN_PROGRESS = (EnrolmentState.WAITLISTED, EnrolmentState.APPLIED, EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str = ""
    link_text: str = ""


@dataclass
class Summary:
    """One enrolment with what the learner needs to see of it."""

    enrolment: Enrolment
    status: str = ""
    next_step: NextStep = NextStep("")
    next_workshop: Session | None = None
    next_workshop_time: str = ""
    check_ins_booked: int = 0
    next_check_in_time: str = ""
    invoices: list[Invoice] = field(default_factory=list)
    support_requests: list[FundingRequest] = field(default_factory=list)
    questions: SupportThread | None = None

    @property
    def in_progress(self) -> bool:
        return self.enrolment.state in IN_PROGRESS

    @property
    def check_ins_to_book(self) -> int:
        return max(0, self.enrolment.cohort.check_ins_allowed - self.check_ins_booked)

    @property
    def may_book_check_ins(self) -> bool:
        return self.enrolment.state in checkins.MAY_BOOK

    @property
    def unpaid(self) -> list[Invoice]:
        return [invoice for invoice in self.invoices if invoice.state == InvoiceState.ISSUED]

    @property
    def waiting_for_an_answer(self) -> bool:
        """The last word in the learner's questions is theirs."""
        return (
            self.questions is not None and getattr(self.questions, "last_author_id", None) == self.enrolment.learner_id
        )

    @property
    def url(self) -> str:
        return reverse("programmes:my-enrolment", args=[self.enrolment.pk])


def _day(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def status_words(
    enrolment: Enrolment,
    *,
    unpaid: Sequence[Invoice] = (),
    pending_support: bool = False,
    today: datetime.date | None = None,
) -> str:
    """Where an enrolment stands, said for its learner: "Registered: invoice to pay by 27 March 2024", not "Applied".

    ``unpaid`` are its issued invoices not yet paid; ``pending_support`` whether a fee support request waits.
    """
    state = enrolment.state
    cohort = enrolment.cohort
    if state == EnrolmentState.WAITLISTED:
        return "On the waiting list"
    if state == EnrolmentState.APPLIED:
        if unpaid:
            return f"Registered: invoice to pay by {_day(min(invoice.due_on for invoice in unpaid))}"
        if pending_support:
            return "Registered: your request for fee support is waiting for a decision"
        return "Registered: waiting for the provider to confirm your place"
    if state == EnrolmentState.CONFIRMED:
        today = today or timezone.localdate(timezone.now(), zone(cohort.time_zone))
        if cohort.study_starts > today:
            return f"Place confirmed: study starts {_day(cohort.study_starts)}"
        return "Place confirmed"
    if state == EnrolmentState.ACTIVE:
        return "Studying"
    if state == EnrolmentState.DEFERRED:
        moved_to = enrolment.deferred_to
        return f"Moved to {moved_to.cohort.name}" if moved_to is not None else "Moved to another cohort"
    if state == EnrolmentState.LAPSED:
        return "Ended: the submission deadline passed"
    if state == EnrolmentState.AWARDED:
        return "Finished: awarded"
    return "Withdrawn"


def _next_step(summary: Summary) -> NextStep:
    """The one thing to do next (or to expect), with a link to where it is done."""
    enrolment = summary.enrolment
    state = enrolment.state
    if state == EnrolmentState.WAITLISTED:
        return NextStep("Nothing to do for now: we email you if a place comes free.")
    if state == EnrolmentState.APPLIED:
        if summary.unpaid:
            invoice = min(summary.unpaid, key=lambda unpaid: (unpaid.due_on, unpaid.pk))
            return NextStep(
                f"Pay invoice {invoice.reference} ({invoice.currency} {invoice.total}) by {_day(invoice.due_on)}, "
                "or ask for fee support if cost is a barrier.",
                reverse("programmes:invoice-pdf", args=[invoice.pk]),
                f"Download invoice {invoice.reference} (PDF)",
            )
        return NextStep("Nothing to do for now: the provider confirms your place.", summary.url, "Your study page")
    if state in checkins.MAY_BOOK:
        if summary.check_ins_to_book and not summary.next_check_in_time:
            return NextStep(
                f"Book your 1:1 check-in ({summary.check_ins_to_book} to book).",
                reverse("programmes:checkins-learner", args=[enrolment.pk]),
                "Book a check-in",
            )
        if summary.next_workshop is not None:
            return NextStep(
                f"Join workshop {summary.next_workshop.number}: {summary.next_workshop.topic}, "
                f"{summary.next_workshop_time}.",
                reverse("programmes:sessions", kwargs={"cohort_id": enrolment.cohort.public_id}),
                "Workshops, and how to join",
            )
        return NextStep("Log your study hours as you go.", summary.url, "Log study hours")
    if state == EnrolmentState.DEFERRED and enrolment.deferred_to_id:
        return NextStep(
            "Your place moved to a later cohort.",
            reverse("programmes:my-enrolment", args=[enrolment.deferred_to_id]),
            "Go to your new cohort",
        )
    if state == EnrolmentState.AWARDED:
        return NextStep(
            "Your credential is issued: see it, download it and share it.", reverse("dashboard"), "Your dashboard"
        )
    return NextStep("")


def enrolments_of(user: Any) -> QuerySet[Enrolment]:
    """The learner's own enrolments (``access.api.own_enrolments``), those under way first, then newest intake first;
    with the cohort a deferral moved them to."""
    under_way = Case(When(state__in=IN_PROGRESS, then=Value(0)), default=Value(1))
    return (
        own_enrolments(user)
        .select_related("deferred_to__cohort")
        .alias(under_way=under_way)
        .order_by("under_way", "-cohort__study_starts", "-pk")
    )


def _next_workshops(enrolments: Sequence[Enrolment], now: datetime.datetime) -> dict[int, Session]:
    """Each cohort's next workshop not yet over (one query)."""
    upcoming = Session.objects.filter(cancelled_at__isnull=True, ends_at__gt=now)
    first = upcoming.filter(cohort_id=OuterRef("cohort_id")).order_by("starts_at", "pk").values("pk")[:1]
    cohort_ids = {enrolment.cohort_id for enrolment in enrolments}
    found = upcoming.filter(cohort_id__in=cohort_ids, pk=Subquery(first))
    return {session.cohort_id: session for session in found}


def summaries(user: Any, enrolments: Sequence[Enrolment], now: datetime.datetime | None = None) -> list[Summary]:
    """What the learner sees of each of ``enrolments`` (theirs, loaded by ``enrolments_of``): five queries."""
    now = now or timezone.now()
    ids = [enrolment.pk for enrolment in enrolments]
    sessions = _next_workshops(enrolments, now) if ids else {}
    bookings: defaultdict[int, list[CheckInBooking]] = defaultdict(list)
    invoices: defaultdict[int, list[Invoice]] = defaultdict(list)
    support: defaultdict[int, list[FundingRequest]] = defaultdict(list)
    threads: dict[int, SupportThread] = {}
    if ids:
        live = CheckInBooking.objects.filter(enrolment_id__in=ids, cancelled_at__isnull=True).select_related("slot")
        for booking in live.order_by("slot__starts_at"):
            bookings[booking.enrolment_id].append(booking)
        billed = Invoice.objects.filter(enrolment_id__in=ids).exclude(state=InvoiceState.CANCELLED)
        for invoice in billed.select_related("provider").order_by("-issued_on", "-pk"):
            invoices[invoice.enrolment_id].append(invoice)
        for request in FundingRequest.objects.filter(enrolment_id__in=ids).order_by("-created_at", "-pk"):
            support[request.enrolment_id].append(request)
        last_author = SupportMessage.objects.filter(thread=OuterRef("pk")).order_by("-sent_at", "-pk")
        asked = SupportThread.objects.filter(enrolment_id__in=ids).annotate(
            message_count=Count("messages"),
            last_at=Max("messages__sent_at"),
            last_author_id=Subquery(last_author.values("author_id")[:1]),
        )
        threads = {thread.enrolment_id: thread for thread in asked}
    found = []
    for enrolment in enrolments:
        summary = Summary(
            enrolment=enrolment,
            invoices=invoices[enrolment.pk],
            support_requests=support[enrolment.pk],
            questions=threads.get(enrolment.pk),
        )
        session = sessions.get(enrolment.cohort_id)
        if session is not None:
            session.cohort = enrolment.cohort  # loaded already: the times need its zone
            summary.next_workshop = session
            summary.next_workshop_time = workshops.both_times(session, user)
        booked = bookings[enrolment.pk]
        summary.check_ins_booked = len(booked)
        coming = [booking for booking in booked if booking.slot.starts_at > now]
        if coming:
            summary.next_check_in_time = checkins.when(
                coming[0].slot.starts_at, workshops.viewer_zone(user) or enrolment.cohort.time_zone
            )
        pending = any(request.decision == SupportDecision.PENDING for request in summary.support_requests)
        summary.status = status_words(enrolment, unpaid=summary.unpaid, pending_support=pending)
        summary.next_step = _next_step(summary)
        found.append(summary)
    return found
