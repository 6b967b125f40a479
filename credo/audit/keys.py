"""The audit key: the secret, kept outside the database, that seals the audit chain.

Every event's hash is an HMAC-SHA-256 under this key, and each event records
the id of the key that sealed it. Someone with only the database can read the
hashes but cannot compute new ones, so they cannot edit, delete or insert an
event and re-chain the rest (decision 0001).

Run ``python -m credo.audit.keys`` to print a fresh key. To change it: set the
new one as ``CREDO_AUDIT_KEY`` and move the old one to
``CREDO_PREVIOUS_AUDIT_KEYS``; events it sealed go on verifying with it, new
events are sealed with the new one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class AuditKeyError(Exception):
    """The audit key is missing or malformed."""


def _decode(configured: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
    except ValueError as error:
        raise AuditKeyError(f"{name} is not urlsafe base64") from error
    if len(key) != 32:
        raise AuditKeyError(f"{name} must be 32 bytes; it is {len(key)}")
    return key


def current_key() -> bytes:
    configured = settings.AUDIT_KEY
    if configured:
        return _decode(configured, "CREDO_AUDIT_KEY")
    if settings.PRODUCTION:
        raise AuditKeyError("CREDO_AUDIT_KEY must be set in production")
    # Development and tests: derived from SECRET_KEY, with a label of its own, so it is never the KEK.
    return HKDF(SHA256(), 32, salt=b"credo-audit-key", info=b"development").derive(settings.SECRET_KEY.encode())


def previous_keys() -> list[bytes]:
    return [_decode(value, "CREDO_PREVIOUS_AUDIT_KEYS") for value in settings.PREVIOUS_AUDIT_KEYS]


def key_id(key: bytes) -> str:
    """A short public name for a key: recorded on each event, so a rotated key is named, not just "wrong"."""
    return hashlib.sha256(b"credo-audit-key-id" + key).hexdigest()[:16]


def key_ring() -> dict[str, bytes]:
    """Every configured key (current and previous) by its id."""
    return {key_id(key): key for key in [current_key(), *previous_keys()]}


if __name__ == "__main__":
    print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))  # noqa: T201
