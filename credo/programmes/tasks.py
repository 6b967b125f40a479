"""Background work for programmes: reminders before 1:1 check-ins."""

from __future__ import annotations

import datetime

from django_tasks import task

from credo.programmes.services import checkins


@task()
def send_check_in_reminders(*, now: str | None = None) -> int:
    """Email learner and facilitator about each booking starting within 24 hours, once; safe to run often.

    ``now`` (ISO 8601, for tests and catch-up runs) is a string because task arguments must be JSON.
    """
    return checkins.send_reminders(now=datetime.datetime.fromisoformat(now) if now else None)
