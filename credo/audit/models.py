"""The audit log: an append-only, hash-chained record of every decision.

Each event's hash is an HMAC-SHA-256, under the audit key (`credo.audit.keys`,
kept outside the database), of its own fields and the previous event's hash,
so an edited, inserted or deleted row breaks the chain where it happened, and
someone with only the database cannot compute the hashes to re-chain it. The
single `ChainHead` row holds the hash and sequence number of the newest event:
it is the lock that serialises appends, and it lets `verify_audit` notice
events cut off the end of the log by someone who forgot to move it.

Database triggers (migration 0002) refuse UPDATE and DELETE on events, so only
someone who removes the triggers can tamper, and the chain shows it. What the
chain cannot show (a rewrite by someone holding the key, the newest events cut
off with the head moved back) only checkpoints kept elsewhere can: decision 0001.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from credo.audit.keys import AuditKeyError, key_ring

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One decision: who did what to which object, when, with what details.

    Personal data: actor_label (the actor's email at the time).
    """

    seq = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3, … with no gaps.")
    occurred_at = models.DateTimeField()
    # The actor row may be deleted later; actor_label keeps who it was, and the hash covers it.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=254, blank=True)
    organisation_id_at_event = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)
    # Which audit key sealed this event (see credo.audit.keys); the hash covers it. Blank only on events written
    # before the chain was keyed, and none are left: migration 0004 re-sealed them.
    key_id = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ("seq",)
        indexes: ClassVar = [
            models.Index(fields=("object_type", "object_id")),
            models.Index(fields=("organisation_id_at_event", "seq")),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def content(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that serialises the same way every time."""
        return event_content(self)

    def compute_hash(self, key: bytes | None = None) -> str:
        """This event's hash: its seal under `key`, by default the configured key its `key_id` names."""
        if key is None:
            ring = key_ring()
            if self.key_id not in ring:
                raise AuditKeyError(
                    f"event #{self.seq} was sealed with audit key {self.key_id or '(none)'}, which is not configured"
                )
            key = ring[self.key_id]
        return seal(self.content(), key)


def unkeyed_content(event: Any) -> dict[str, Any]:
    """The fields an event's hash covered before the chain was keyed (any object with AuditEvent's fields)."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id_at_event,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def event_content(event: Any) -> dict[str, Any]:
    """The fields an event's seal covers: everything, including which key sealed it.

    Takes any object with AuditEvent's fields, so migrations can use it on their historical models.
    """
    return {**unkeyed_content(event), "key_id": event.key_id}


def _encoded(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(content: dict[str, Any]) -> str:
    """Plain SHA-256, as events were hashed before the chain was keyed. Anyone can compute it: never trust it."""
    return hashlib.sha256(_encoded(content)).hexdigest()


# What the MAC is of, so an event's seal can never be passed off as a checkpoint's signature or the reverse.
EVENT_PURPOSE = b"credo audit event v1\n"


def seal(content: dict[str, Any], key: bytes, purpose: bytes = EVENT_PURPOSE) -> str:
    """HMAC-SHA-256 of the content under the audit key: only someone holding the key can compute it."""
    return hmac.new(key, purpose + _encoded(content), hashlib.sha256).hexdigest()


class ChainHead(models.Model):
    """The newest event's sequence number and hash; exactly one row (id=1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints: ClassVar = [models.CheckConstraint(condition=models.Q(id=1), name="chainhead_single_row")]

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"
