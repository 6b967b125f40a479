"""Queue the check-in reminders: run it from cron (or a systemd timer) every 15 minutes or so.

django-tasks has no scheduler of its own; this enqueues ``send_check_in_reminders``
for a task worker. Each booking is reminded once however often it runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from credo.programmes.tasks import send_check_in_reminders


class Command(BaseCommand):
    help = "Queue reminders for 1:1 check-ins starting within 24 hours (each booking is reminded once)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_check_in_reminders.enqueue()
        self.stdout.write(f"Queued the check-in reminders (task {result.id}).")
