"""Background work for credentials: issuing what has been attained, and keeping transcripts current."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from credo.accounts.models import User
from credo.credentials.models import Issuer
from credo.credentials.services.issuance import issue_pending, refresh_transcripts


@task()
def issue_pending_credentials(*, issuer_id: int, actor_id: int | None = None) -> int:
    """Issue every attainment of the issuer that has no credential yet; safe to run twice or after a crash."""
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
