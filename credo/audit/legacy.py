"""Sealing the events written before the chain was keyed (migration 0004).

Before the audit key, each event's hash was plain SHA-256, which anyone with
the database can recompute. Leaving those events as they were would leave a
part of the log anyone could rewrite, and a boundary between the unkeyed and
keyed parts stored in the database could itself be moved. So the upgrade
checks the whole unkeyed chain exactly as the old `verify_audit` did and, only
if it is intact, re-seals every event with the audit key; if it is already
broken it refuses and changes nothing, so the break stays visible.

The re-seal is recorded as an event of its own, `audit.chain_sealed`, whose
details keep the old chain's last hash: anyone holding an older copy of the log
(a backup) can check that their copy's hashes lead to it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from credo.audit.keys import current_key, key_id
from credo.audit.models import GENESIS_HASH, chain_hash, event_content, seal, unkeyed_content


class UnkeyedChainBrokenError(Exception):
    """The log written before the audit key is already broken: it cannot honestly be sealed."""


def _refuse(where: str, what: str) -> UnkeyedChainBrokenError:
    return UnkeyedChainBrokenError(
        f"The audit log cannot be sealed with the audit key: {where} {what} Nothing has been changed. Restore the"
        " log from a backup, or run verify_audit from the previous release to see every problem."
    )


def _check_unkeyed(event_model: Any, head_model: Any) -> tuple[int, str]:
    """The number of events and the last hash of the unkeyed chain, once every link and hash is checked."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    for event in event_model.objects.order_by("seq").iterator(chunk_size=2000):
        where = f"event #{event.seq}"
        if event.key_id:
            raise _refuse(where, "already carries an audit key id, though the chain was never keyed.")
        if event.seq != expected_seq:
            raise _refuse(where, f"should be #{expected_seq}: events were deleted, inserted or renumbered.")
        if chain_hash(unkeyed_content(event)) != event.hash:
            raise _refuse(where, "no longer matches its hash: the row was edited.")
        if event.prev_hash != prev_hash:
            raise _refuse(where, "does not link to the event before it.")
        expected_seq, prev_hash = event.seq + 1, event.hash
    head = head_model.objects.filter(id=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        raise _refuse("the chain head", f"names #{head_seq}, but the log ends at #{expected_seq - 1}.")
    return expected_seq - 1, prev_hash


def seal_unkeyed_events(event_model: Any, head_model: Any, *, batch_size: int = 1000) -> int:
    """Check the unkeyed chain and re-seal every event of it with the current audit key; how many there were.

    Takes the models as arguments so the migration can pass its historical ones. The caller lifts the
    append-only triggers around it (the re-seal rewrites every row) and runs it in one transaction.
    """
    count, unkeyed_head_hash = _check_unkeyed(event_model, head_model)
    if count == 0:
        return 0
    key = current_key()
    kid = key_id(key)
    prev_hash, done = GENESIS_HASH, 0
    while batch := list(event_model.objects.filter(seq__gt=done).order_by("seq")[:batch_size]):
        for event in batch:
            event.key_id, event.prev_hash = kid, prev_hash
            event.hash = prev_hash = seal(event_content(event), key)
        event_model.objects.bulk_update(batch, ["key_id", "prev_hash", "hash"])
        done = batch[-1].seq
    record = event_model(
        seq=count + 1,
        occurred_at=timezone.now(),
        actor=None,
        actor_label="system",
        organisation_id_at_event=None,
        action="audit.chain_sealed",
        object_type="",
        object_id="",
        object_repr="",
        details={"unkeyed_events": count, "unkeyed_head_hash": unkeyed_head_hash},
        prev_hash=prev_hash,
        key_id=kid,
    )
    record.hash = seal(event_content(record), key)
    record.save(force_insert=True)
    head_model.objects.update_or_create(id=1, defaults={"last_seq": record.seq, "last_hash": record.hash})
    return count
