"""`verify_audit` streams the log inside one transaction: on PostgreSQL a cursor outside one is declared WITH HOLD,
which makes the server copy the whole table, and a walk across several snapshots could take an append made during
it for tampering. This needs a real (transactional) database: inside a test's own transaction it would always hold."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from credo.audit.services import verify_chain
from credo.audit.tests.helpers import record_events


def test_the_walk_streams_inside_one_read_only_snapshot(committed_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    record_events(3)
    seen: list[tuple[bool, str | None]] = []
    streaming_cursor = connection.chunked_cursor

    def spy() -> Any:
        isolation = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                isolation = cursor.fetchone()[0]
        seen.append((connection.in_atomic_block, isolation))
        return streaming_cursor()

    monkeypatch.setattr(connection, "chunked_cursor", spy)
    assert verify_chain(batch_size=2) == []
    assert seen == [(True, "repeatable read" if connection.vendor == "postgresql" else None)]
