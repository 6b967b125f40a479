"""Background work for portfolios: attestation links, reminded once before they expire, and expired when due.

Both are queued by ``manage.py send_reminders`` (registered in ``credo.core.periodic`` from this app's ``ready``);
both are safe to run often and twice at once. ``now`` (ISO 8601, for tests and catch-up runs) is a string because
task arguments must be JSON.
"""

from __future__ import annotations

import datetime

from django_tasks import task

from credo.portfolios.services import attestations


def _when(now: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(now) if now else None


@task()
def send_attestation_reminders(*, now: str | None = None) -> int:
    """Remind each attestor once, five days before their link stops working (and tell the learner)."""
    return attestations.send_expiry_reminders(now=_when(now))


@task()
def expire_attestation_requests(*, now: str | None = None) -> int:
    """Mark the requests whose links have passed their date expired, telling each learner once."""
    return attestations.expire_overdue(now=_when(now))
