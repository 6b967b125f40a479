"""Workshops in the JSON API: a cohort's sessions, setting them up, and attendance.

The same loaders and services as the pages: sessions (with meeting links) are
for the cohort's learners, facilitators and programme admins; admins add, change
and cancel them; facilitators and admins record attendance. Times go out as UTC
moments and as text in the cohort's zone (and the caller's own, if they set one).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from ninja import Status as Reply
from ninja.security import django_auth

from credo.catalogue.api.schemas import Message, Problems
from credo.programmes.access import workshops as access
from credo.programmes.access.common import cohort_for_staff
from credo.programmes.api.router import router
from credo.programmes.models import Attendance, Session
from credo.programmes.services import workshops
from credo.programmes.services.workshops import SessionDetails


class SessionOut(Schema):
    id: UUID
    number: int
    topic: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str
    when: str
    meeting_url: str
    venue: str
    cancelled_at: datetime.datetime | None
    cancel_reason: str
    sequence: int
    ics: str


class SessionChangeIn(Schema):
    """Day and times are wall-clock times in the cohort's zone, e.g. 2024-04-03, 12:00, 13:30."""

    topic: str
    day: datetime.date
    starts: datetime.time
    ends: datetime.time
    meeting_url: str = ""
    venue: str = ""

    def details(self) -> SessionDetails:
        return SessionDetails(**self.dict())


class SessionIn(SessionChangeIn):
    number: int

    def details(self) -> SessionDetails:
        return SessionDetails(**self.dict(exclude={"number"}))


class CancelIn(Schema):
    reason: str


class AttendanceIn(Schema):
    present: dict[int, bool]


class AttendanceOut(Schema):
    enrolment: int
    learner: str
    present: bool | None


def _out(request: HttpRequest, session: Session) -> SessionOut:
    return SessionOut(
        id=session.public_id,
        number=session.number,
        topic=session.topic,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        time_zone=session.cohort.time_zone,
        when=workshops.both_times(session, request.user),
        meeting_url=session.meeting_url,
        venue=session.venue,
        cancelled_at=session.cancelled_at,
        cancel_reason=session.cancel_reason,
        sequence=session.sequence,
        ics=request.build_absolute_uri(reverse("programmes:session-ics", kwargs={"session_id": session.public_id})),
    )


def _attendance(session: Session) -> list[AttendanceOut]:
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    return [
        AttendanceOut(enrolment=e.pk, learner=e.learner.email, present=marks.get(e.pk))
        for e in workshops.learners_of(session.cohort)
    ]


_READ: dict[int, Any] = {200: list[SessionOut], 401: Message, 403: Message, 404: Message}
_WRITE: dict[int, Any] = {200: SessionOut, 401: Message, 403: Message, 404: Message, 422: Problems}


@router.get(
    "/cohorts/{cohort_id}/sessions",
    auth=django_auth,
    response=_READ,
    summary="A cohort's workshops (its learners, facilitators and programme admins)",
)
def list_sessions(request: HttpRequest, cohort_id: UUID) -> list[SessionOut]:
    cohort = access.cohort_for_participant(request.user, str(cohort_id))
    return [_out(request, session) for session in cohort.sessions.select_related("cohort")]


@router.post(
    "/cohorts/{cohort_id}/sessions",
    auth=django_auth,
    response={201: SessionOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Add a workshop, its day and times in the cohort's zone (programme admins)",
)
def add_session(request: HttpRequest, cohort_id: UUID, payload: SessionIn) -> Reply[SessionOut]:
    cohort = cohort_for_staff(request.user, str(cohort_id))
    session = workshops.add_session(cohort, actor=request.user, number=payload.number, details=payload.details())
    return Reply(201, _out(request, session))


@router.get(
    "/sessions/{session_id}",
    auth=django_auth,
    response={200: SessionOut, 401: Message, 403: Message, 404: Message},
    summary="One workshop (the cohort's learners, facilitators and programme admins)",
)
def session_detail(request: HttpRequest, session_id: UUID) -> SessionOut:
    return _out(request, access.session_for_participant(request.user, str(session_id)))


@router.put(
    "/sessions/{session_id}",
    auth=django_auth,
    response=_WRITE,
    summary="Change a workshop's topic, time or place; learners are emailed (programme admins)",
)
def change_session(request: HttpRequest, session_id: UUID, payload: SessionChangeIn) -> SessionOut:
    session = access.session_for_admin(request.user, str(session_id))
    return _out(request, workshops.change_session(session, actor=request.user, details=payload.details()))


@router.post(
    "/sessions/{session_id}/cancel",
    auth=django_auth,
    response=_WRITE,
    summary="Cancel a workshop with a reason; learners are emailed (programme admins)",
)
def cancel_session(request: HttpRequest, session_id: UUID, payload: CancelIn) -> SessionOut:
    session = access.session_for_admin(request.user, str(session_id))
    return _out(request, workshops.cancel_session(session, actor=request.user, reason=payload.reason))


@router.get(
    "/sessions/{session_id}/attendance",
    auth=django_auth,
    response={200: list[AttendanceOut], 401: Message, 403: Message, 404: Message},
    summary="Who came to a workshop, per learner holding a place (facilitators and programme admins)",
)
def get_attendance(request: HttpRequest, session_id: UUID) -> list[AttendanceOut]:
    return _attendance(access.session_for_attendance(request.user, str(session_id)))


@router.put(
    "/sessions/{session_id}/attendance",
    auth=django_auth,
    response={200: list[AttendanceOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Record who came, by enrolment id: {present: {id: true|false}} (facilitators and programme admins)",
)
def record_attendance(request: HttpRequest, session_id: UUID, payload: AttendanceIn) -> list[AttendanceOut]:
    session = access.session_for_attendance(request.user, str(session_id))
    workshops.record_attendance(session, actor=request.user, present=payload.present)
    return _attendance(session)
