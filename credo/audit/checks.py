"""A system check: every audited decision needs the audit key, so say at start-up when it is unusable."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError


@register("audit")
def audit_key_usable(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from credo.audit.keys import AuditKeyError, key_ring
    from credo.audit.models import ChainHead

    try:
        ChainHead.objects.exists()
    except DatabaseError:
        return []  # not migrated yet: migrating will ask for the key if there are events to seal
    try:
        key_ring()
    except AuditKeyError as error:
        return [
            Error(
                f"Nothing can be audited, so no decision can be taken: {error}.",
                hint="Set CREDO_AUDIT_KEY (python -m credo.audit.keys prints a new one) and keep it out of the "
                "database and its backups.",
                id="audit.E001",
            )
        ]
    return []
