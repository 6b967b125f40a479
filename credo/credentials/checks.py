"""A system check: warn when an issuer could not sign a credential right now."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError


@register("credentials")
def issuers_can_sign(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from credo.credentials.kek import KeyEncryptionError, current_kek
    from credo.credentials.models import Issuer
    from credo.credentials.services.issuers import problems_signing

    try:
        issuers = list(Issuer.objects.select_related("organisation"))
    except DatabaseError:
        return []  # not migrated yet: nothing to sign with
    messages: list[CheckMessage] = []
    if issuers:
        try:
            current_kek()
        except KeyEncryptionError as error:
            return [
                Warning(f"No issuer can sign: {error}.", hint="Set CREDO_KEY_ENCRYPTION_KEY.", id="credentials.W001")
            ]
    for issuer in issuers:
        for problem in problems_signing(issuer):
            messages.append(
                Warning(
                    f"{problem}: credentials from it cannot be issued, and revocations cannot be published.",
                    hint="Restore the key-encryption key the keys were sealed with, or rotate the issuer's key.",
                    obj=issuer,
                    id="credentials.W002",
                )
            )
    return messages
