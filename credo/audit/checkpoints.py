"""Checkpoints: the head of the audit chain, signed, for operators to keep outside the database.

`manage.py audit_head` prints one; `manage.py verify_audit --since-checkpoint FILE`
(or `--checkpoint FILE`) checks that the event it names still exists with the
hash it recorded. Someone who holds the audit key as well as the database can
rewrite the chain and re-seal it, but cannot change a checkpoint already
pasted into a ticket or a write-once bucket: the rewrite shows against it.

The signature is an HMAC under the audit key (with its own purpose label, so
it can never be mistaken for an event's seal). It proves the file came from
this installation unaltered; it is not what protects the history. That is
where the file is kept: anyone with the key could sign a checkpoint, just as
they could re-seal the chain, so the checkpoint counts only for having been
stored, out of their reach, before they acted.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from credo.audit.keys import current_key, key_id, key_ring
from credo.audit.models import seal

CHECKPOINT_PURPOSE = b"credo audit checkpoint v1\n"
FIELDS = ("seq", "hash", "time", "key_id")


class CheckpointError(Exception):
    """A checkpoint file that cannot be trusted: unreadable, malformed, altered, or signed with an unknown key."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: str
    key_id: str
    signature: str

    def signed_content(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "time": self.time, "key_id": self.key_id}

    def to_json(self) -> str:
        return json.dumps({**self.signed_content(), "signature": self.signature})

    def __str__(self) -> str:
        return f"the checkpoint of {self.time}"


def sign_checkpoint(*, seq: int, hash: str) -> Checkpoint:
    """A checkpoint of the chain at event #seq, signed now with the current audit key."""
    key = current_key()
    time, kid = timezone.now().isoformat(timespec="seconds"), key_id(key)
    unsigned = Checkpoint(seq=seq, hash=hash, time=time, key_id=kid, signature="")
    signature = seal(unsigned.signed_content(), key, CHECKPOINT_PURPOSE)
    return Checkpoint(seq=seq, hash=hash, time=time, key_id=kid, signature=signature)


def read_checkpoint(text: str, *, source: str) -> Checkpoint:
    """The checkpoint in `text` (from `source`, named in errors), once its signature is checked."""
    try:
        data = json.loads(text)
    except ValueError:
        raise CheckpointError(f"{source} is not an audit checkpoint: it is not JSON.") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{source} is not an audit checkpoint: it is not a JSON object.")
    missing = [name for name in (*FIELDS, "signature") if name not in data]
    if missing:
        raise CheckpointError(f"{source} is not an audit checkpoint: it has no {', '.join(missing)}.")
    seq = data["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise CheckpointError(f"{source} is not an audit checkpoint: its seq is not a whole number.")
    if not all(isinstance(data[name], str) for name in ("hash", "time", "key_id", "signature")):
        raise CheckpointError(
            f"{source} is not an audit checkpoint: its hash, time, key_id and signature must be text."
        )
    checkpoint = Checkpoint(
        seq=seq, hash=data["hash"], time=data["time"], key_id=data["key_id"], signature=data["signature"]
    )
    ring = key_ring()
    if checkpoint.key_id not in ring:
        raise CheckpointError(
            f"{source} was signed with audit key {checkpoint.key_id}, which is not configured (the current one is"
            f" {key_id(current_key())}): set the old key in CREDO_PREVIOUS_AUDIT_KEYS to check it."
        )
    expected = seal(checkpoint.signed_content(), ring[checkpoint.key_id], CHECKPOINT_PURPOSE)
    if not hmac.compare_digest(expected, checkpoint.signature):
        raise CheckpointError(
            f"{source}'s signature does not match its contents: the file was altered,"
            " or it was not made by manage.py audit_head with this installation's audit key."
        )
    return checkpoint
