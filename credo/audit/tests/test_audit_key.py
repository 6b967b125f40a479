"""The audit key: events are sealed with it, name it, and go on verifying after it is rotated; without it in
production nothing is audited, and an event without a key never passes."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.test import override_settings

from credo.audit.checks import audit_key_usable
from credo.audit.keys import AuditKeyError, current_key, key_id
from credo.audit.models import AuditEvent, event_content, seal
from credo.audit.services import record_event, verify_chain
from credo.audit.tests.helpers import record_events, run_command, run_verify, triggers_removed

pytestmark = pytest.mark.django_db


def a_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def test_each_event_names_the_key_that_sealed_it() -> None:
    event = record_events(1)[0]
    assert event.key_id == key_id(current_key())
    assert event.hash == seal(event_content(event), current_key())


def test_events_sealed_with_a_previous_key_still_verify_after_rotation(settings: Any) -> None:
    old, new = a_key(), a_key()
    settings.AUDIT_KEY = old
    before = record_events(2)
    settings.AUDIT_KEY, settings.PREVIOUS_AUDIT_KEYS = new, [old]
    after = record_events(2, start=3)
    assert before[0].key_id != after[0].key_id == key_id(current_key())
    assert verify_chain() == []


def test_events_sealed_with_a_key_no_longer_configured_are_named(settings: Any) -> None:
    old = a_key()
    settings.AUDIT_KEY = old
    record_events(2)
    settings.AUDIT_KEY = a_key()
    record_events(1, start=3)
    old_id = key_id(base64.urlsafe_b64decode(old + "="))
    _, err = run_verify()
    assert (
        f"event #1: it was sealed with audit key {old_id}, which is not configured: set that key in"
        " CREDO_PREVIOUS_AUDIT_KEYS to check it" in err
    )
    assert "event #2: it was sealed with audit key" in err
    assert "event #3" not in err
    assert err.endswith(
        "The audit log cannot be trusted: 2 event(s) were sealed with an audit key that is not configured here. If"
        " it is an old key of yours, add it to CREDO_PREVIOUS_AUDIT_KEYS; if not, they were forged."
    )


def test_a_checkpoint_signed_before_rotation_is_checked_with_the_previous_key(settings: Any, tmp_path: Path) -> None:
    old, new = a_key(), a_key()
    settings.AUDIT_KEY = old
    record_events(2)
    (tmp_path / "head.json").write_text(run_command("audit_head")[0])
    settings.AUDIT_KEY = new
    _, err = run_verify("--checkpoint", str(tmp_path / "head.json"))
    signed_with = json.loads((tmp_path / "head.json").read_text())["key_id"]
    assert err.startswith(
        f"{tmp_path / 'head.json'} was signed with audit key {signed_with}, which is not configured (the current one"
        f" is {key_id(current_key())}): set the old key in CREDO_PREVIOUS_AUDIT_KEYS to check it."
    )
    settings.PREVIOUS_AUDIT_KEYS = [old]
    out, err = run_verify("--checkpoint", str(tmp_path / "head.json"))
    assert err == ""
    assert "It agrees with 1 checkpoint(s)." in out


def test_an_event_without_a_key_never_verifies_even_with_a_true_seal() -> None:
    record_events(1)
    # Even if the seal were right, an event that names no key is not accepted: "unkeyed" is never a way round it.
    unkeyed = AuditEvent(
        seq=2, occurred_at=AuditEvent.objects.get().occurred_at, actor_label="system", action="test.unkeyed",
        details={}, prev_hash=AuditEvent.objects.get().hash, key_id="",
    )  # fmt: skip
    unkeyed.hash = seal(event_content(unkeyed), current_key())
    with triggers_removed():
        unkeyed.save()
    assert str(verify_chain()[0]) == (
        "event #2: it carries no audit key: it was written without the key, by someone working on the database"
        " directly."
    )


def test_outside_production_the_key_is_derived_from_the_secret_key_apart_from_the_kek(
    settings: Any,
) -> None:
    settings.AUDIT_KEY = ""
    derived = current_key()
    assert len(derived) == 32
    # The development key-encryption key comes from the same secret (credo.credentials.kek); the label keeps them apart.
    development_kek = HKDF(SHA256(), 32, salt=b"credo-kek", info=b"development").derive(settings.SECRET_KEY.encode())
    assert derived != development_kek
    settings.SECRET_KEY = "another-development-secret"
    assert current_key() != derived


@override_settings(PRODUCTION=True, AUDIT_KEY="")
def test_in_production_nothing_is_audited_without_the_key() -> None:
    with pytest.raises(AuditKeyError, match="CREDO_AUDIT_KEY must be set in production"):
        record_event(actor="system", action="test.unkeyed")
    assert AuditEvent.objects.count() == 0
    [error] = audit_key_usable()
    assert error.id == "audit.E001"
    assert "CREDO_AUDIT_KEY must be set in production" in error.msg
    _, err = run_verify()
    assert err == "Cannot check the audit log: CREDO_AUDIT_KEY must be set in production."


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ("not base64!", "CREDO_AUDIT_KEY is not urlsafe base64"),
        ("c2hvcnQ", "CREDO_AUDIT_KEY must be 32 bytes; it is 5"),
    ],
)
def test_a_malformed_key_is_named(settings: Any, configured: str, message: str) -> None:
    settings.AUDIT_KEY = configured
    with pytest.raises(AuditKeyError, match=message):
        current_key()
    [error] = audit_key_usable()
    assert message in error.msg


def test_a_usable_key_passes_the_system_check(settings: Any) -> None:
    settings.AUDIT_KEY = a_key()
    assert audit_key_usable() == []
