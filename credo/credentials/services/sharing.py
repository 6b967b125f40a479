"""Who may see a credential's page: the learner decides, nobody else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from credo.audit.services import record_event
from credo.credentials.models import Credential


def set_public(credential: Credential, *, actor: Any, is_public: bool) -> Credential:
    """Show the credential's page and JSON to anyone with the link, or only to its learner and issuer.

    Only the learner who holds it decides (not the issuer's staff: sharing is the
    learner's choice). Takes a row lock; a change is audited, a no-op is not.
    """
    if not getattr(actor, "is_authenticated", False) or actor.pk != credential.learner_id:
        raise PermissionDenied("Only the learner who holds a credential decides whether its page is public.")
    organisation_id = credential.issuer.organisation_id
    with transaction.atomic():
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        if credential.is_public == is_public:
            return credential
        credential.is_public = is_public
        credential.save(update_fields=["is_public"])
        record_event(
            actor=actor,
            action="credentials.made_public" if is_public else "credentials.made_private",
            obj=credential,
            organisation_id=organisation_id,
            details={"is_public": is_public},
        )
    return credential
