"""Background work for credentials: issuing what has been attained, and keeping transcripts current."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django_tasks import task

from credo.accounts.models import User
from credo.credentials.models import Attainment, Credential, Issuer
from credo.credentials.services.issuance import issue_pending, refresh_transcripts


@task()
def issue_pending_credentials(*, issuer_id: int, actor_id: int | None = None) -> int:
    """Issue every attainment of the issuer that has no credential yet; safe to run twice or after a crash.

    A rerun (the worker died, and the task was queued again: credo.core.worker) carries on where the last run
    stopped: ``issue_pending`` picks only attainments with no current credential, each chunk commits whole, and the
    database allows one current credential per attainment.
    """
    issuer = Issuer.objects.select_related("organisation").get(pk=issuer_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    issued = issue_pending(issuer, actor=actor or "system")
    refresh_transcripts(issuer, actor=actor or "system")
    return issued


@task()
def refresh_transcripts_task(*, issuer_id: int) -> int:
    """Renew the transcripts whose credentials changed; safe to run twice."""
    return refresh_transcripts(Issuer.objects.select_related("organisation").get(pk=issuer_id))


def refresh_transcripts_later(issuer: Issuer) -> None:
    transaction.on_commit(lambda: refresh_transcripts_task.enqueue(issuer_id=issuer.pk))


def schedule_issuance(issuer: Issuer, *, actor: object = None) -> None:
    """Queue issuance for the issuer once the current transaction commits (nothing for a rolled-back award)."""
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    transaction.on_commit(lambda: issue_pending_credentials.enqueue(issuer_id=issuer.pk, actor_id=actor_id))


@task()
def queue_pending_issuance() -> int:
    """Queue issuance for every issuer (with a signing key) that has attainments without a credential; returns how
    many were queued.

    Issuance is queued when an award is made, but a queued task can be lost (deleted by hand, pruned, or failed
    for good); this periodic sweep (``manage.py send_reminders``) makes sure no attainment waits for ever. Safe to
    run often and twice at once: issuance skips what is already issued, and the issuer lock serialises two runs.
    """
    without_credential = Attainment.objects.filter(achievement__issuer=OuterRef("pk")).exclude(
        Exists(Credential.objects.filter(attainment=OuterRef("pk"), superseded_at__isnull=True))
    )
    issuers = (
        Issuer.objects.filter(keys__retired_at__isnull=True)  # one without a key could only fail each time
        .filter(Exists(without_credential))
        .values_list("pk", flat=True)
        .order_by("pk")
        .distinct()
    )
    queued = 0
    for issuer_id in issuers:
        issue_pending_credentials.enqueue(issuer_id=issuer_id)
        queued += 1
    return queued
