"""Background work for credentials: issuing what has been attained."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from credo.accounts.models import User
from credo.credentials.models import Issuer
from credo.credentials.services.issuance import issue_pending


@task()
def issue_pending_credentials(*, issuer_id: int, actor_id: int | None = None) -> int:
    """Issue every attainment of the issuer that has no credential yet; safe to run twice or after a crash."""
    issuer = Issuer.objects.select_related("organisation").get(pk=issuer_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return issue_pending(issuer, actor=actor or "system")


def schedule_issuance(issuer: Issuer, *, actor: object = None) -> None:
    """Queue issuance for the issuer once the current transaction commits (nothing for a rolled-back award)."""
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    transaction.on_commit(lambda: issue_pending_credentials.enqueue(issuer_id=issuer.pk, actor_id=actor_id))
