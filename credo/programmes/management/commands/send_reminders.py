"""Queue every periodic reminder: run it from cron (or a systemd timer) every 15 minutes or so.

django-tasks has no scheduler of its own, so this one command enqueues each
reminder task for a task worker. Each task reminds about a thing once however
often it runs, so running this more often only makes reminders more punctual.
Add a new kind of reminder to ``REMINDERS``, and other periodic work (closing
the waiting lists of cohorts whose study has started) to ``PERIODIC``. Apps that
programmes must not import (portfolios: attestation links about to expire)
register theirs in ``credo.core.periodic`` from their ``AppConfig.ready``, and
this command queues those too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from credo.core import periodic
from credo.programmes.tasks import (
    close_waiting_lists,
    send_check_in_reminders,
    send_invoice_due_reminders,
    send_workshop_reminders,
)

#: (what is reminded, the task that reminds it).
REMINDERS = [
    ("1:1 check-ins", send_check_in_reminders),
    ("workshops", send_workshop_reminders),
    ("invoices due", send_invoice_due_reminders),
]
#: Other periodic work, as safe to run often: (what it does, the task).
#: The people still waiting for a place when study starts hear that no place opened.
PERIODIC = [("the closing of waiting lists once study starts", close_waiting_lists)]


class Command(BaseCommand):
    help = (
        "Queue all periodic reminders: check-ins and workshops within 24 hours, invoices falling due (each sent "
        "once); close the waiting lists of cohorts whose study has started; and whatever periodic work other apps "
        "register (attestation links: reminders before they expire, and their expiry)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for what, reminder in REMINDERS:
            result = reminder.enqueue()
            self.stdout.write(f"Queued the reminders for {what} (task {result.id}).")
        for what, work in PERIODIC:
            result = work.enqueue()
            self.stdout.write(f"Queued {what} (task {result.id}).")
        for entry in periodic.registered():
            result = entry.task.enqueue()
            self.stdout.write(f"Queued {entry.description} (task {result.id}).")
