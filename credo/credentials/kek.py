"""The key-encryption key: how issuers' private keys are sealed at rest.

Each private key is encrypted with AES-256-GCM under the key-encryption key
(KEK) from the environment, with the key's public half as associated data, so
a sealed key cannot be swapped onto another key's row. ``kek_id`` records
which KEK sealed it, so a wrong or rotated KEK is named, not just "failed".

Run ``python -m credo.credentials.kek`` to print a fresh KEK. To change the KEK:
set the new one as ``CREDO_KEY_ENCRYPTION_KEY`` and the old one in
``CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS``, run ``manage.py reseal_signing_keys``,
then remove the old one.
"""

import base64
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class KeyEncryptionError(Exception):
    """The KEK is missing or malformed, or does not open a stored key."""


def _decode(configured: str, name: str) -> bytes:
    try:
        kek = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
    except ValueError as error:
        raise KeyEncryptionError(f"{name} is not urlsafe base64") from error
    if len(kek) != 32:
        raise KeyEncryptionError(f"{name} must be 32 bytes; it is {len(kek)}")
    return kek


def previous_keks() -> list[bytes]:
    return [_decode(value, "CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS") for value in settings.PREVIOUS_KEY_ENCRYPTION_KEYS]


def current_kek() -> bytes:
    configured = settings.KEY_ENCRYPTION_KEY
    if configured:
        return _decode(configured, "CREDO_KEY_ENCRYPTION_KEY")
    if settings.PRODUCTION:
        raise KeyEncryptionError("CREDO_KEY_ENCRYPTION_KEY must be set in production")
    # Development and tests: derived from SECRET_KEY, so a fresh checkout can sign.
    return HKDF(SHA256(), 32, salt=b"credo-kek", info=b"development").derive(settings.SECRET_KEY.encode())


def kek_id(kek: bytes) -> str:
    return hashlib.sha256(b"credo-kek-id" + kek).hexdigest()[:16]


def seal(private_key: bytes, public_key_multibase: str) -> tuple[bytes, str]:
    kek = current_kek()
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(kek).encrypt(nonce, private_key, public_key_multibase.encode())
    return sealed, kek_id(kek)


def unseal(sealed: bytes, public_key_multibase: str, sealed_with: str) -> bytes:
    """The private key, opened with whichever configured KEK (current or previous) sealed it."""
    current = current_kek()
    kek = next((k for k in [current, *previous_keks()] if kek_id(k) == sealed_with), None)
    if kek is None:
        raise KeyEncryptionError(
            f"the key was sealed with key-encryption key {sealed_with}, but the configured one is {kek_id(current)}"
            " (set the old one in CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS to open it)"
        )
    try:
        return AESGCM(kek).decrypt(bytes(sealed[:12]), bytes(sealed[12:]), public_key_multibase.encode())
    except InvalidTag as error:
        raise KeyEncryptionError("the stored key does not open with the configured key-encryption key") from error


if __name__ == "__main__":
    print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))  # noqa: T201
