"""The audit log: an append-only, hash-chained record of every decision.

Each event's hash covers its own fields and the previous event's hash, so an
edited, inserted or deleted row breaks the chain where it happened. The single
`ChainHead` row holds the hash and sequence number of the newest event: it is
the lock that serialises appends, and it lets `verify_audit` notice events cut
off the end of the log, which a chain alone cannot show.

Database triggers (migration 0002) refuse UPDATE and DELETE on events, so only
someone who removes the triggers can tamper, and the chain shows it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

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
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor_label": self.actor_label,
            "organisation_id": self.organisation_id_at_event,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return chain_hash(self.content())


def chain_hash(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class ChainHead(models.Model):
    """The newest event's sequence number and hash; exactly one row (id=1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints: ClassVar = [models.CheckConstraint(condition=models.Q(id=1), name="chainhead_single_row")]

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"
