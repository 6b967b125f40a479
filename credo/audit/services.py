"""Writing and checking the audit log.

`record_event` is called by every service that takes a decision, inside that
service's transaction, so the decision and its record commit or roll back
together.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from credo.audit.checkpoints import Checkpoint
from credo.audit.keys import current_key, key_id, key_ring
from credo.audit.models import GENESIS_HASH, AuditEvent, ChainHead, event_content, seal


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Details as plain JSON values (dates, decimals and UUIDs become strings)."""
    result: dict[str, Any] = json.loads(json.dumps(details, cls=DjangoJSONEncoder))
    return result


def record_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Takes a row lock on the chain head, so concurrent appends queue up; call it
    inside the transaction that makes the change it records. Seals the event
    with the current audit key (raises AuditKeyError in production without one).
    """
    key = current_key()
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        actor_user = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            actor=actor_user,
            actor_label=actor_user.email if actor_user else (actor if isinstance(actor, str) else "system"),
            organisation_id_at_event=organisation_id,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:300] if obj is not None else "",
            details=_plain(details or {}),
            prev_hash=head.last_hash,
            key_id=key_id(key),
        )
        event.hash = event.compute_hash(key)
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str
    # Not tampering as far as anyone can tell yet: the key that sealed the event is not configured here.
    unknown_key: bool = False

    def __str__(self) -> str:
        where = f"event #{self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.message}"


@dataclass
class ChainReport:
    """What a walk of the chain found, and how far it went."""

    problems: list[ChainProblem] = field(default_factory=list)
    first_seq: int = 1
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    events_checked: int = 0


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """One transaction for the whole walk.

    On PostgreSQL the streaming cursor then lives inside the transaction, so the
    server need not copy the table to hold it open (a cursor outside one is
    declared WITH HOLD and materialised), and REPEATABLE READ makes the head and
    every event come from the same moment, so appends made during the walk are
    not reported as tampering. SQLite's read transaction is one snapshot already.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _seal_problem(event: AuditEvent, ring: dict[str, bytes]) -> str | None:
    """Why this event's hash is not a seal of its contents under a configured audit key, if it is not."""
    if not event.key_id:
        return "it carries no audit key: it was written without the key, by someone working on the database directly."
    if event.key_id not in ring:
        return (
            f"it was sealed with audit key {event.key_id}, which is not configured: set that key in"
            " CREDO_PREVIOUS_AUDIT_KEYS to check it (if no such key was ever used, the row was forged)."
        )
    if not hmac.compare_digest(seal(event_content(event), ring[event.key_id]), event.hash):
        return "its contents no longer match its hash: the row was edited (or its hash recomputed without the key)."
    return None


def check_chain(
    *, since: Checkpoint | None = None, checkpoints: Sequence[Checkpoint] = (), batch_size: int = 2000
) -> ChainReport:
    """Walk the log in order (all of it, or from the `since` checkpoint on) and report every break.

    An edited row no longer matches its own hash; a deleted row leaves a gap in
    the sequence and a broken link; an inserted row breaks the link to its
    neighbours; a row hashed without the audit key does not match its seal;
    rows cut off the end leave the chain head pointing past the last row. Each
    checkpoint (a head signed earlier and kept outside the database, already
    checked by `read_checkpoint`) must still find its event with the hash it
    recorded: that shows a rewrite by someone holding the key, and events cut
    off the end with the head moved back.

    The events are streamed, never all in memory.
    """
    ring = key_ring()
    start = since.seq if since is not None and since.seq > 0 else 0
    report = ChainReport(first_seq=max(start, 1))
    problems = report.problems
    # From a checkpoint, its own event is the first one; its link backwards is vouched for by the checkpoint.
    expected_seq = start if start else 1
    prev_hash: str | None = None if start else GENESIS_HASH
    with _one_snapshot():
        events = AuditEvent.objects.filter(seq__gte=expected_seq).order_by("seq").iterator(chunk_size=batch_size)
        for event in events:
            if event.seq != expected_seq:
                if event.seq > expected_seq:
                    missing = (
                        f"#{expected_seq}" if event.seq == expected_seq + 1 else f"#{expected_seq} to #{event.seq - 1}"
                    )
                    problems.append(ChainProblem(event.seq, f"the events before it ({missing}) are missing: deleted."))
                else:
                    problems.append(
                        ChainProblem(event.seq, "its sequence number is out of order: inserted or renumbered.")
                    )
            seal_problem = _seal_problem(event, ring)
            if seal_problem:
                problems.append(
                    ChainProblem(event.seq, seal_problem, unknown_key=bool(event.key_id) and event.key_id not in ring)
                )
            if prev_hash is not None and event.prev_hash != prev_hash:
                problems.append(
                    ChainProblem(
                        event.seq,
                        "it does not link to the event before it: a row before it was edited, deleted or inserted.",
                    )
                )
            prev_hash = event.hash
            expected_seq = event.seq + 1
            report.last_seq = event.seq
            report.events_checked += 1
        if prev_hash is not None:
            report.last_hash = prev_hash
        else:  # walked from a checkpoint past the end of the log: the end is wherever it now is
            last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
            report.last_seq, report.last_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
        head = ChainHead.objects.filter(id=1).first()
        _check_head(head, report)
        for checkpoint in [*([since] if since else []), *checkpoints]:
            _check_checkpoint(checkpoint, report)
    return report


def _check_head(head: ChainHead | None, report: ChainReport) -> None:
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq == report.last_seq and head_hash == report.last_hash:
        return
    if head_seq > report.last_seq:
        report.problems.append(
            ChainProblem(
                None,
                f"the log ends at #{report.last_seq} but {head_seq} events were written: the last ones were deleted.",
            )
        )
    else:
        report.problems.append(
            ChainProblem(None, "the chain head does not match the newest event: the log was altered.")
        )


def _check_checkpoint(checkpoint: Checkpoint, report: ChainReport) -> None:
    """The event a checkpoint recorded must still be there, with the hash it recorded."""
    if checkpoint.seq == 0:
        return  # the empty log: nothing to have changed
    if checkpoint.seq > report.last_seq:
        report.problems.append(
            ChainProblem(
                checkpoint.seq,
                f"{checkpoint} recorded it, but the log now ends at #{report.last_seq}:"
                " events were deleted or cut off the end since then.",
            )
        )
        return
    event = AuditEvent.objects.filter(seq=checkpoint.seq).only("hash").first()
    if event is None:
        report.problems.append(
            ChainProblem(checkpoint.seq, f"{checkpoint} recorded it, but it is gone: deleted since then.")
        )
    elif not hmac.compare_digest(event.hash, checkpoint.hash):
        report.problems.append(
            ChainProblem(
                checkpoint.seq,
                f"its hash is not the one {checkpoint} recorded: the log up to it was rewritten since then"
                " (if nothing else is reported, by someone holding the audit key).",
            )
        )


def verify_chain(
    *, since: Checkpoint | None = None, checkpoints: Sequence[Checkpoint] = (), batch_size: int = 2000
) -> list[ChainProblem]:
    """Every break in the chain (see `check_chain`); empty when the log is intact."""
    return check_chain(since=since, checkpoints=checkpoints, batch_size=batch_size).problems
