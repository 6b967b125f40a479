"""Support threads: a learner reads their thread and asks; the cohort's facilitators and programme admins read the
cohort's threads and reply. The same loaders (``access.support``, ``access.api``) and services (``support.ask``,
``support.reply``) as the pages, so each message emails the other side once it is saved.
"""

from __future__ import annotations

import datetime
from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.programmes.access import api as access_api
from credo.programmes.access import support as access_support
from credo.programmes.api.router import router
from credo.programmes.models import Enrolment, SupportMessage, SupportThread
from credo.programmes.services import support


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class SupportMessageIn(Schema):
    body: Annotated[str, StringConstraints(pattern=NUL_FREE)] = Field(
        description=f"Plain text, up to {support.MAX_BODY_LENGTH:,} characters."
    )


class SupportMessageOut(Schema):
    id: int
    author: str
    from_learner: bool
    body: str
    channel: str
    sent_at: datetime.datetime


class SupportThreadOut(Schema):
    """A learner's conversation with the cohort's staff; ``id`` is null until the learner first asks."""

    id: int | None
    enrolment: int
    cohort: UUID
    learner: str
    learner_name: str
    messages: list[SupportMessageOut]


class SupportThreadSummary(Schema):
    id: int
    enrolment: int
    learner: str
    learner_name: str
    message_count: int
    last_message_at: datetime.datetime | None
    awaiting_answer: bool


def _thread(enrolment: Enrolment, thread: SupportThread | None) -> SupportThreadOut:
    learner = enrolment.learner
    messages = list(thread.messages.select_related("author")) if thread is not None else []
    return SupportThreadOut(
        id=thread.pk if thread is not None else None,
        enrolment=enrolment.pk,
        cohort=enrolment.cohort.public_id,
        learner=learner.email,
        learner_name=learner.full_name,
        messages=[_message(m, learner_id=learner.pk) for m in messages],
    )


def _message(message: SupportMessage, *, learner_id: int) -> SupportMessageOut:
    return SupportMessageOut(
        id=message.pk,
        author=str(message.author),
        from_learner=message.author_id == learner_id,
        body=message.body,
        channel=message.channel,
        sent_at=message.sent_at,
    )


# The learner's side -----------------------------------------------------------------------------------------


@router.get(
    "/my/enrolments/{enrolment_id}/support-thread",
    auth=django_auth,
    response={200: SupportThreadOut, 401: Message, 404: Message},
    operation_id="programmes_my_support_thread",
    summary="Your support thread with the cohort's facilitators (empty until you first ask)",
)
def my_thread(request: HttpRequest, enrolment_id: int) -> SupportThreadOut:
    enrolment, thread = access_support.own_support(request.user, enrolment_id)
    return _thread(enrolment, thread)


@router.post(
    "/my/enrolments/{enrolment_id}/support-thread/messages",
    auth=django_auth,
    response={201: SupportThreadOut, 401: Message, 404: Message, 422: Problems},
    operation_id="programmes_ask_support",
    summary="Ask the cohort's facilitators a question; they are emailed. Returns the thread",
)
def ask(request: HttpRequest, enrolment_id: int, payload: SupportMessageIn) -> Reply[SupportThreadOut]:
    enrolment, _thread_before = access_support.own_support(request.user, enrolment_id)
    message = support.ask(enrolment, actor=request.user, body=payload.body)
    return Reply(201, _thread(enrolment, message.thread))


# The cohort's facilitators and programme admins ---------------------------------------------------------------


@router.get(
    "/cohorts/{public_id}/support-threads",
    auth=django_auth,
    response={200: list[SupportThreadSummary], 401: Message, 403: Message, 404: Message},
    operation_id="programmes_support_threads",
    summary="A cohort's support threads, those awaiting an answer first (its facilitators and programme admins)",
)
def list_threads(request: HttpRequest, public_id: UUID) -> list[SupportThreadSummary]:
    _cohort, threads = access_api.support_threads_of(request.user, str(public_id))
    return [
        SupportThreadSummary(
            id=thread.pk,
            enrolment=thread.enrolment_id,
            learner=thread.enrolment.learner.email,
            learner_name=thread.enrolment.learner.full_name,
            message_count=getattr(thread, "message_count", 0),
            last_message_at=getattr(thread, "last_at", None),
            awaiting_answer=bool(getattr(thread, "unanswered", False)),
        )
        for thread in threads
    ]


@router.get(
    "/cohorts/{public_id}/support-threads/{thread_id}",
    auth=django_auth,
    response={200: SupportThreadOut, 401: Message, 403: Message, 404: Message},
    operation_id="programmes_support_thread",
    summary="One learner's support thread (the cohort's facilitators and programme admins)",
)
def read_thread(request: HttpRequest, public_id: UUID, thread_id: int) -> SupportThreadOut:
    thread = access_support.support_thread_for_staff(request.user, str(public_id), thread_id)
    return _thread(thread.enrolment, thread)


@router.post(
    "/cohorts/{public_id}/support-threads/{thread_id}/messages",
    auth=django_auth,
    response={201: SupportThreadOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="programmes_reply_support",
    summary="Answer a learner on their support thread; they are emailed (facilitators, programme admins)",
)
def reply(request: HttpRequest, public_id: UUID, thread_id: int, payload: SupportMessageIn) -> Reply[SupportThreadOut]:
    thread = access_support.support_thread_for_staff(request.user, str(public_id), thread_id)
    support.reply(thread, actor=request.user, body=payload.body)
    return Reply(201, _thread(thread.enrolment, thread))
