"""Changing the key-encryption key: old keys still open while listed as previous, and resealing moves them over."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from credo.audit.models import AuditEvent
from credo.credentials import kek
from credo.credentials.models import Issuer, SigningKey
from credo.credentials.services.issuers import signing_key_for


def a_kek() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@pytest.fixture
def old_kek(settings: Any) -> str:
    value = a_kek()
    settings.KEY_ENCRYPTION_KEY = value
    return value


def test_a_new_kek_with_the_old_one_listed_keeps_signing_and_reseal_moves_every_key(
    old_kek: str, issuer: Issuer, settings: Any
) -> None:
    new = a_kek()
    settings.KEY_ENCRYPTION_KEY = new
    settings.PREVIOUS_KEY_ENCRYPTION_KEYS = [old_kek]
    assert signing_key_for(issuer).sign(b"still works")
    call_command("reseal_signing_keys")
    key = SigningKey.objects.get(issuer=issuer)
    assert key.kek_id == kek.kek_id(kek.current_kek())
    assert AuditEvent.objects.filter(action="credentials.key_resealed").count() == 1
    settings.PREVIOUS_KEY_ENCRYPTION_KEYS = []
    assert signing_key_for(issuer).sign(b"and without the old one")
    call_command("reseal_signing_keys")  # nothing left to do: no change, no event
    assert AuditEvent.objects.filter(action="credentials.key_resealed").count() == 1


def test_without_the_old_kek_nothing_is_changed_and_the_error_says_what_to_set(
    old_kek: str, issuer: Issuer, settings: Any
) -> None:
    before = bytes(SigningKey.objects.get(issuer=issuer).encrypted_private_key)
    settings.KEY_ENCRYPTION_KEY = a_kek()
    with pytest.raises(kek.KeyEncryptionError, match="CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS"):
        signing_key_for(issuer)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("reseal_signing_keys")
    assert bytes(SigningKey.objects.get(issuer=issuer).encrypted_private_key) == before
