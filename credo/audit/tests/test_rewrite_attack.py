"""The insider's rewrite (issue 12): lift the triggers, delete one event, edit another, re-chain every later one
and the head, put the triggers back. Without the audit key it shows in `verify_audit`; with it, a checkpoint taken
before the rewrite shows it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from credo.audit.keys import current_key, key_id
from credo.audit.models import AuditEvent, ChainHead, chain_hash, seal
from credo.audit.tests.helpers import record_events, run_command, run_verify, triggers_removed

pytestmark = pytest.mark.django_db

Rehash = Callable[[AuditEvent], str]


def rewrite_history(rehash: Rehash, *, claimed_key_id: str | None = None) -> None:
    """Delete #2, edit #4, renumber so there is no gap, re-chain every later event and move the head: the whole
    rewrite, with `rehash` standing for however the insider computes hashes."""
    with triggers_removed():
        AuditEvent.objects.filter(seq=2).delete()
        AuditEvent.objects.filter(seq=4).update(action="test.rewritten", details={"n": 999})
        prev_hash = AuditEvent.objects.get(seq=1).hash
        for event in AuditEvent.objects.filter(seq__gt=2).order_by("seq"):
            event.seq -= 1
            event.prev_hash = prev_hash
            if claimed_key_id is not None:
                event.key_id = claimed_key_id
            event.hash = prev_hash = rehash(event)
            event.save()
        ChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=prev_hash)


def plain_sha256(event: AuditEvent) -> str:
    return chain_hash(event.content())


def hmac_with_a_guessed_key(event: AuditEvent) -> str:
    return seal(event.content(), secrets.token_bytes(32))


def hmac_with_the_audit_key(event: AuditEvent) -> str:
    return seal(event.content(), current_key())


def test_a_rewrite_with_plain_hashes_is_reported() -> None:
    record_events(5)
    rewrite_history(plain_sha256)
    out, err = run_verify()
    assert out == ""
    # The first event moved (old #3, now #2) is the first whose hash is not the key's seal.
    assert "event #2: its contents no longer match its hash: the row was edited" in err
    assert "event #3: its contents no longer match its hash" in err
    assert "The audit log has been tampered with" in err


def test_a_rewrite_passed_off_as_written_before_the_key_is_reported() -> None:
    record_events(5)
    rewrite_history(plain_sha256, claimed_key_id="")
    _, err = run_verify()
    assert "event #2: it carries no audit key: it was written without the key" in err
    assert "The audit log has been tampered with" in err


def test_a_rewrite_with_a_guessed_key_is_reported() -> None:
    record_events(5)
    rewrite_history(hmac_with_a_guessed_key)
    _, err = run_verify()
    # Every event after the deletion was re-chained with the wrong key, and each one is named.
    for seq in (2, 3, 4):
        assert f"event #{seq}: its contents no longer match its hash" in err
    assert "The audit log has been tampered with: 3 problem(s) found." in err


def test_a_rewrite_under_a_key_of_the_insiders_own_is_reported() -> None:
    record_events(5)
    their_key = secrets.token_bytes(32)
    rewrite_history(lambda event: seal(event.content(), their_key), claimed_key_id=key_id(their_key))
    _, err = run_verify()
    assert f"event #2: it was sealed with audit key {key_id(their_key)}, which is not configured" in err
    assert "The audit log cannot be trusted: 3 event(s) were sealed with an audit key that is not configured" in err
    assert "if not, they were forged." in err


def test_a_rewrite_by_someone_holding_the_key_is_caught_by_an_earlier_checkpoint(tmp_path: Path) -> None:
    record_events(3)
    at_three, _ = run_command("audit_head")
    record_events(2, start=4)
    at_five, _ = run_command("audit_head")
    (tmp_path / "at-3.json").write_text(at_three)
    (tmp_path / "at-5.json").write_text(at_five)

    rewrite_history(hmac_with_the_audit_key)

    # The key re-seals a consistent chain: on its own, the log looks intact. This is what checkpoints are for.
    out, _ = run_verify()
    assert "The audit log is intact: 4 events" in out
    _, err = run_verify("--checkpoint", str(tmp_path / "at-3.json"), "--checkpoint", str(tmp_path / "at-5.json"))
    assert "event #3: its hash is not the one the checkpoint of" in err
    assert "recorded: the log up to it was rewritten since then" in err
    assert "event #5: the checkpoint of" in err
    assert "recorded it, but the log now ends at #4: events were deleted or cut off the end since then." in err
    assert "The audit log has been tampered with: 2 problem(s) found." in err
    _, err = run_verify("--since-checkpoint", str(tmp_path / "at-3.json"))
    assert "event #3: its hash is not the one the checkpoint of" in err
