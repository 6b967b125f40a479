"""Support questions: one thread per learner with their cohort's facilitators, so nothing is lost in inboxes.

The learner asks, staff reply (the cohort's facilitators, or its provider's programme
admins), and every message emails the other side once the transaction commits. Where
the installation receives mail (``SUPPORT_REPLY_DOMAIN``), those emails carry a
Reply-To address holding the thread's secret token, and ``inbound_email.receive``
turns a reply into a message on the thread.

Bodies are stored exactly as written and rendered as escaped plain text.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import BooleanField, Case, Count, F, Max, OuterRef, QuerySet, Subquery, Value, When
from django.urls import reverse
from django_tasks import TaskContext, task

from credo.accounts.models import Role, User
from credo.core.tasks import send_once
from credo.programmes.access.common import is_facilitator, is_programme_admin
from credo.programmes.models import Cohort, Enrolment, SupportMessage, SupportThread

MAX_BODY_LENGTH = 10_000
#: The local part before ``+<token>`` in a Reply-To address.
REPLY_MAILBOX = "support"


def clean_body(body: str) -> str:
    """The body without surrounding blank space, or a ValidationError saying what to fix."""
    text = body.strip()
    if not text:
        raise ValidationError({"body": "Write your message before sending it."})
    if len(text) > MAX_BODY_LENGTH:
        raise ValidationError(
            {"body": f"Keep a message to {MAX_BODY_LENGTH:,} characters; this one has {len(text):,}."}
        )
    return text


def staff_of(cohort: Cohort) -> list[User]:
    """Who answers the cohort's learners: its facilitators, or its provider's programme admins if it has none."""
    facilitators = list(cohort.facilitators.filter(is_active=True).order_by("email"))
    if facilitators:
        return facilitators
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=cohort.programme.provider_id,
            memberships__role=Role.PROGRAMME_ADMIN,
        )
        .distinct()
        .order_by("email")
    )


def may_answer(user: Any, cohort: Cohort) -> bool:
    return bool(is_facilitator(user, cohort) or is_programme_admin(user, cohort))


def reply_address(thread: SupportThread) -> str | None:
    """``support+<token>@<domain>`` where the installation receives replies by email; otherwise None."""
    domain = getattr(settings, "SUPPORT_REPLY_DOMAIN", "")
    return f"{REPLY_MAILBOX}+{thread.reply_token}@{domain}" if domain else None


@task(takes_context=True)
def send_support_email(context: TaskContext, *, subject: str, body: str, to: list[str], reply_to: list[str]) -> int:
    """One plain-text notification; marked auto-generated so that well-behaved auto-responders stay quiet."""
    message = EmailMessage(
        subject=subject,
        body=body,
        to=to,
        reply_to=reply_to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={"Auto-Submitted": "auto-generated"},
    )
    return send_once(context, message)  # once, though the task runs again after its worker died


def ask(
    enrolment: Enrolment,
    *,
    actor: Any,
    body: str,
    channel: str = SupportMessage.Channel.WEB,
    message_id: str = "",
) -> SupportMessage:
    """The learner's message to staff; the thread is made on first use with a fresh reply token.

    ``message_id`` is an emailed message's Message-ID: a second message with the same one raises
    IntegrityError (and stores and sends nothing), so a redelivered email is kept once.
    """
    if actor != enrolment.learner:
        raise PermissionDenied("Only the learner asks questions on their own support thread.")
    text = clean_body(body)
    with transaction.atomic():
        # Lock the enrolment so that two first questions at once make one thread, not an IntegrityError.
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
        thread, _created = SupportThread.objects.get_or_create(
            enrolment=enrolment, defaults={"reply_token": secrets.token_hex(20)}
        )
        message = SupportMessage.objects.create(
            thread=thread, author=actor, body=text, channel=channel, message_id=message_id
        )
        _notify_staff(thread, message)
    return message


def reply(
    thread: SupportThread,
    *,
    actor: Any,
    body: str,
    channel: str = SupportMessage.Channel.WEB,
    message_id: str = "",
) -> SupportMessage:
    """A facilitator's or programme admin's answer to the learner; ``message_id`` as for ``ask``."""
    cohort = thread.enrolment.cohort
    if not may_answer(actor, cohort):
        raise PermissionDenied(f"Only the facilitators and programme admins of {cohort} answer its learners.")
    text = clean_body(body)
    with transaction.atomic():
        message = SupportMessage.objects.create(
            thread=thread, author=actor, body=text, channel=channel, message_id=message_id
        )
        _notify_learner(thread, message)
    return message


def _notify_staff(thread: SupportThread, message: SupportMessage) -> None:
    enrolment = thread.enrolment
    cohort = enrolment.cohort
    learner = enrolment.learner
    url = settings.SITE_URL + reverse(
        "programmes:support-thread", kwargs={"public_id": cohort.public_id, "thread_id": thread.pk}
    )
    for person in staff_of(cohort):
        _send(
            thread,
            to=person,
            subject=f"Question from {learner} ({cohort.programme.name}, {cohort.name})",
            intro=f"{learner} ({learner.email}) wrote on their support thread:",
            message=message,
            url=url,
        )


def _notify_learner(thread: SupportThread, message: SupportMessage) -> None:
    enrolment = thread.enrolment
    url = settings.SITE_URL + reverse("programmes:support-learner", kwargs={"enrolment_id": enrolment.pk})
    _send(
        thread,
        to=enrolment.learner,
        subject=f"An answer to your question ({enrolment.cohort.programme.name})",
        intro=f"{message.author} replied to your question:",
        message=message,
        url=url,
    )


def _send(thread: SupportThread, *, to: User, subject: str, intro: str, message: SupportMessage, url: str) -> None:
    address = reply_address(thread)
    how_to_answer = (
        "Reply to this email to answer (write above the quoted text), or answer on credo:"
        if address
        else "Please do not reply to this email: answer on credo, so the conversation stays in one place:"
    )
    greeting = thread.enrolment.cohort.programme.provider.greeting
    body = "\n".join([f"{greeting} {to.full_name or to.email},", "", intro, "", message.body, "", how_to_answer, url])
    reply_to = [address] if address else []
    recipient = to.email
    transaction.on_commit(
        lambda: send_support_email.enqueue(subject=subject, body=body, to=[recipient], reply_to=reply_to)
    )


def threads_for_inbox(cohort: Cohort) -> QuerySet[SupportThread]:
    """The cohort's threads, those whose last word is the learner's (waiting for an answer) first."""
    last_author = SupportMessage.objects.filter(thread=OuterRef("pk")).order_by("-sent_at", "-pk").values("author_id")
    return (
        SupportThread.objects.filter(enrolment__cohort=cohort)
        .select_related("enrolment__learner")
        .annotate(
            last_author_id=Subquery(last_author[:1]),
            last_at=Max("messages__sent_at"),
            message_count=Count("messages"),
        )
        .annotate(
            unanswered=Case(
                When(last_author_id=F("enrolment__learner_id"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-unanswered", "-last_at", "pk")
    )
