"""Writing and checking the audit log.

`record_event` is called by every service that takes a decision, inside that
service's transaction, so the decision and its record commit or roll back
together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from credo.audit.models import GENESIS_HASH, AuditEvent, ChainHead


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
    inside the transaction that makes the change it records.
    """
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
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.message}"


def verify_chain(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Walk the whole log in order and report every break in the chain.

    An edited row no longer matches its own hash; a deleted row leaves a gap in
    the sequence and a broken link; an inserted row breaks the link to its
    neighbours; rows cut off the end leave the chain head pointing past the last row.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_event: AuditEvent | None = None
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                missing = (
                    f"#{expected_seq}" if event.seq == expected_seq + 1 else f"#{expected_seq} to #{event.seq - 1}"
                )
                problems.append(ChainProblem(event.seq, f"the events before it ({missing}) are missing: deleted."))
            else:
                problems.append(ChainProblem(event.seq, "its sequence number is out of order: inserted or renumbered."))
        if event.compute_hash() != event.hash:
            problems.append(ChainProblem(event.seq, "its contents no longer match its hash: the row was edited."))
        if event.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    event.seq,
                    "it does not link to the event before it: a row before it was edited, deleted or inserted.",
                )
            )
        prev_hash = event.hash
        expected_seq = event.seq + 1
        last_event = event
    head = ChainHead.objects.filter(id=1).first()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    last_seq = last_event.seq if last_event else 0
    if head_seq != last_seq or head_hash != prev_hash:
        if head_seq > last_seq:
            problems.append(
                ChainProblem(
                    None, f"the log ends at #{last_seq} but {head_seq} events were written: the last ones were deleted."
                )
            )
        else:
            problems.append(ChainProblem(None, "the chain head does not match the newest event: the log was altered."))
    return problems
