"""Ed25519 keys as Multikeys, and the did:key identifiers made from them."""

import re
from dataclasses import dataclass
from typing import Self

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credo.credentials.ob3.errors import CredentialError

# Multicodec prefixes (varint-encoded): ed25519-pub 0xed, ed25519-priv 0x1300.
_PUBLIC_PREFIX = b"\xed\x01"
_SECRET_PREFIX = b"\x80\x26"
_RAW = serialization.Encoding.Raw
_BASE58BTC = re.compile("[1-9A-HJ-NP-Za-km-z]+")


def multibase_encode(data: bytes) -> str:
    """base58btc multibase: 'z' + base58 (Bitcoin alphabet)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise CredentialError("expected a base58btc multibase value (it starts with 'z')")
    if not _BASE58BTC.fullmatch(value[1:]):
        # The base58 library forgives surrounding white space; a proof value must be exactly as signed.
        raise CredentialError("not valid base58btc: only the Bitcoin alphabet is allowed, with no spaces")
    try:
        return base58.b58decode(value[1:])
    except ValueError as error:
        raise CredentialError(f"not valid base58btc: {error}") from error


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    return multibase_encode(_PUBLIC_PREFIX + public_key.public_bytes(_RAW, serialization.PublicFormat.Raw))


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    raw = multibase_decode(value)
    if len(raw) != 34 or not raw.startswith(_PUBLIC_PREFIX):
        raise CredentialError("not an Ed25519 public Multikey (expected 0xed01 followed by 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_key(public_key: Ed25519PublicKey) -> str:
    return "did:key:" + public_key_multibase(public_key)


def public_key_from_did_key(did: str) -> Ed25519PublicKey:
    if not did.startswith("did:key:z6Mk"):
        raise CredentialError(f"{did!r} is not an Ed25519 did:key")
    return public_key_from_multibase(did.removeprefix("did:key:").split("#", 1)[0])


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key, with the verification method that names it."""

    private_key: Ed25519PrivateKey
    verification_method: str

    @classmethod
    def generate(cls, controller: str | None = None) -> Self:
        """A new key; without a controller it is its own did:key."""
        private_key = Ed25519PrivateKey.generate()
        return cls.from_private_key(private_key, controller)

    @classmethod
    def from_private_key(cls, private_key: Ed25519PrivateKey, controller: str | None = None) -> Self:
        fragment = public_key_multibase(private_key.public_key())
        return cls(private_key, f"{controller or 'did:key:' + fragment}#{fragment}")

    @classmethod
    def from_secret_multibase(cls, secret: str, controller: str | None = None) -> Self:
        raw = multibase_decode(secret)
        if len(raw) != 34 or not raw.startswith(_SECRET_PREFIX):
            raise CredentialError("not an Ed25519 secret Multikey (expected 0x8026 followed by 32 bytes)")
        return cls.from_private_key(Ed25519PrivateKey.from_private_bytes(raw[2:]), controller)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        return public_key_multibase(self.public_key)

    @property
    def controller(self) -> str:
        return self.verification_method.split("#", 1)[0]

    def secret_multibase(self) -> str:
        raw = self.private_key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        return multibase_encode(_SECRET_PREFIX + raw)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def signature_is_valid(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
