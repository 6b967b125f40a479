"""`verify_audit` streams the log inside one transaction: on PostgreSQL a cursor outside one is declared WITH HOLD,
which makes the server copy the whole table, and a walk across several snapshots could take an append made during
it for tampering. This needs a real (transactional) database: inside a test's own transaction it would always hold."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from credo.audit import triggers
from credo.audit.services import verify_chain
from credo.audit.tests.helpers import record_events


@pytest.fixture
def audit_triggers_back_after_flush(django_db_blocker: Any) -> Iterator[None]:
    """Set up before the transactional database, so torn down after its flush: put the triggers back."""
    yield
    with django_db_blocker.unblock():
        triggers.install(connection)
        connection.close()  # opened after the test's own was closed; PostgreSQL could not drop the database


@pytest.fixture
def flushable(transactional_db: None) -> Iterator[None]:
    """A transactional test ends by emptying every table, which the audit log's triggers rightly refuse."""
    yield
    triggers.remove(connection)


def test_the_walk_streams_inside_one_read_only_snapshot(
    audit_triggers_back_after_flush: None, flushable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
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
