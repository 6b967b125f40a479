"""Background work for programme pages: confirming an information-session sign-up by email, with its .ics."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import TaskContext, task

from credo.core.tasks import send_once
from credo.programmes.calendar.information_sessions import information_session_ics
from credo.programmes.models import InformationSessionSignUp
from credo.programmes.services import pages


@task(takes_context=True)
def send_sign_up_confirmation(context: TaskContext, *, sign_up_id: int) -> int:
    """Email the person who signed up: when (in the session's zone), the joining link, and a calendar entry."""
    row = InformationSessionSignUp.objects.select_related("session__programme__provider").get(pk=sign_up_id)
    subject, body = pages.confirmation_text(row)
    message = EmailMessage(subject=subject, body=body, to=[row.email], from_email=settings.DEFAULT_FROM_EMAIL)
    message.attach("information-session.ics", information_session_ics(row.session, with_link=True), "text/calendar")
    return send_once(context, message)  # once, though the task runs again after its worker died
