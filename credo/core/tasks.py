"""Background work shared by every app, and ``send_once``, which every task that sends mail goes through."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult


def send_once(context: TaskContext, message: EmailMessage) -> int:
    """Send ``message`` unless an earlier run of this same task already sent it; returns how many were sent.

    A task is run again when its worker died (credo.core.worker), possibly after the mail went. The task's own row
    records that it went: its ``return_value`` is written in the transaction that sends, and a run that finds it
    set sends nothing. The row is locked while sending, so two runs at once send once.

    At least once, not exactly once: if the worker dies after the mail server accepted the message but before the
    transaction commits (a few milliseconds), the next run sends it again. Without the database backend (the
    immediate backend of the tests) there is no row and no second run, and the message is simply sent.
    """
    row = getattr(context.task_result, "db_result", None)
    if not isinstance(row, DBTaskResult):
        return message.send()
    with transaction.atomic():
        sent_before = (
            DBTaskResult.objects.select_for_update().filter(pk=row.pk).values_list("return_value", flat=True).first()
        )
        if sent_before is not None:
            return int(sent_before)
        sent = message.send()
        DBTaskResult.objects.filter(pk=row.pk).update(return_value=sent)
    return sent


@task(takes_context=True)
def send_email(context: TaskContext, *, subject: str, body: str, to: list[str], from_email: str) -> int:
    """Send one plain-text email, once however often the task runs (``send_once``); returns how many were sent."""
    return send_once(context, EmailMessage(subject=subject, body=body, to=to, from_email=from_email))
