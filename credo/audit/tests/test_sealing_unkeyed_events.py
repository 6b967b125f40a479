"""Upgrading: the events written before the audit key are checked and re-sealed with it (migration 0004), and a
chain that is already broken is refused, unchanged."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from credo.audit.keys import current_key, key_id
from credo.audit.legacy import UnkeyedChainBrokenError
from credo.audit.models import GENESIS_HASH, AuditEvent, ChainHead, chain_hash, unkeyed_content
from credo.audit.services import verify_chain
from credo.audit.tests.helpers import triggers_removed

pytestmark = pytest.mark.django_db

migration = importlib.import_module("credo.audit.migrations.0004_seal_existing_events")


def an_unkeyed_log(count: int) -> list[AuditEvent]:
    """A log as the release before the audit key wrote it: plain SHA-256 hashes, no key id."""
    prev_hash, written = GENESIS_HASH, []
    for seq in range(1, count + 1):
        event = AuditEvent(
            seq=seq, occurred_at=timezone.now(), actor_label="system", action=f"test.step_{seq}",
            details={"n": seq}, prev_hash=prev_hash, key_id="",
        )  # fmt: skip
        event.hash = prev_hash = chain_hash(unkeyed_content(event))
        event.save()
        written.append(event)
    ChainHead.objects.update_or_create(id=1, defaults={"last_seq": count, "last_hash": prev_hash})
    return written


def run_the_migration() -> None:
    # In one transaction, as migrate runs it: a refusal undoes everything, the lifted triggers included.
    with transaction.atomic():
        migration.seal_existing_events(apps, SimpleNamespace(connection=connection))


def test_an_intact_unkeyed_log_is_sealed_with_the_key_and_the_sealing_recorded() -> None:
    unkeyed = an_unkeyed_log(3)
    assert str(verify_chain()[0]).startswith("event #1: it carries no audit key")
    run_the_migration()
    assert verify_chain() == []
    sealed = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in sealed] == ["test.step_1", "test.step_2", "test.step_3", "audit.chain_sealed"]
    assert {e.key_id for e in sealed} == {key_id(current_key())}
    assert sealed[-1].details == {"unkeyed_events": 3, "unkeyed_head_hash": unkeyed[-1].hash}
    assert ChainHead.objects.get().last_seq == 4
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="test.rewritten")


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda: AuditEvent.objects.filter(seq=2).update(details={"n": 0}), "event #2 no longer matches its hash"),
        (lambda: AuditEvent.objects.filter(seq=2).delete(), "event #3 should be #2"),
        (lambda: ChainHead.objects.filter(id=1).update(last_seq=9), "the chain head names #9, but the log ends at #3"),
    ],
)
def test_a_broken_unkeyed_log_is_refused_and_left_as_it_was(tamper: Callable[[], object], reason: str) -> None:
    an_unkeyed_log(3)
    with triggers_removed():
        tamper()
    before = list(AuditEvent.objects.order_by("seq").values_list("seq", "hash", "key_id"))
    with pytest.raises(UnkeyedChainBrokenError, match=reason) as refusal:
        run_the_migration()
    assert "Nothing has been changed." in str(refusal.value)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "hash", "key_id")) == before
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="test.rewritten")


def test_an_empty_log_needs_no_key(settings: Any) -> None:
    # A new installation migrates before anyone has set the key; the first audited decision asks for it.
    settings.PRODUCTION, settings.AUDIT_KEY = True, ""
    run_the_migration()
    assert AuditEvent.objects.count() == 0
