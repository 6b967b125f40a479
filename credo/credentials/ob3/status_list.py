"""Bitstring Status Lists: revocation and suspension as one bit per credential.

The list is published as a signed BitstringStatusListCredential whose
``encodedList`` is 'u' + base64url (no padding) of the gzipped bits. Bit 0 is
the most significant bit of byte 0. A list holds at least 131,072 entries, so
a single credential's bit says little about who it belongs to (herd privacy).
"""

import base64
import gzip
import zlib
from datetime import datetime
from typing import Any, Literal, Self

from credo.credentials.ob3.contexts import VC_V2
from credo.credentials.ob3.dates import format_datetime
from credo.credentials.ob3.errors import CredentialError

MIN_LENGTH = 131_072
MAX_LENGTH = 16 * 1024 * 1024 * 8  # what a verifier will inflate: 16 MiB of bits, no more
StatusPurpose = Literal["revocation", "suspension"]
PURPOSES: tuple[StatusPurpose, ...] = ("revocation", "suspension")


class Bitstring:
    def __init__(self, data: bytes | bytearray | None = None, length: int = MIN_LENGTH) -> None:
        if data is None:
            if length < MIN_LENGTH or length % 8:
                raise CredentialError(f"a status list holds a multiple of 8 entries, at least {MIN_LENGTH}")
            data = bytes(length // 8)
        self._bits = bytearray(data)

    def __len__(self) -> int:
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < len(self):
            raise CredentialError(f"status list index {index} is outside the list (0 to {len(self) - 1})")
        return index // 8, 7 - index % 8

    def __getitem__(self, index: int) -> bool:
        byte, bit = self._locate(index)
        return bool(self._bits[byte] >> bit & 1)

    def __setitem__(self, index: int, value: bool) -> None:
        byte, bit = self._locate(index)
        if value:
            self._bits[byte] |= 1 << bit
        else:
            self._bits[byte] &= ~(1 << bit) & 0xFF

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> Self:
        """Read an encodedList, refusing anything that would inflate past ``MAX_LENGTH`` bits."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise CredentialError("an encodedList is multibase base64url: it starts with 'u'")
        try:
            padded = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
            compressed = base64.b64decode(padded, altchars=b"-_", validate=True)
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            data = inflater.decompress(compressed, MAX_LENGTH // 8 + 1)
        except (ValueError, zlib.error) as error:
            raise CredentialError(f"the encodedList is not gzipped base64url: {error}") from error
        if len(data) <= MAX_LENGTH // 8 and not inflater.eof:
            raise CredentialError("the encodedList is not gzipped base64url: the gzip data is cut short")
        if len(data) > MAX_LENGTH // 8:
            raise CredentialError("the status list is too large to read")
        if len(data) * 8 < MIN_LENGTH:
            raise CredentialError(f"the status list has {len(data) * 8} entries; the minimum is {MIN_LENGTH}")
        return cls(data)


def status_entry(list_url: str, purpose: StatusPurpose, index: int) -> dict[str, Any]:
    """The credentialStatus entry pointing at one bit of a list (the index is a string: pitfall 6)."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str, issuer: str, purpose: StatusPurpose, bits: Bitstring, valid_from: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for ``bits``."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }


def status_bit(entry: dict[str, Any], list_credential: dict[str, Any]) -> bool:
    """Whether ``entry``'s bit is set in the (already verified) status list credential."""
    subject = list_credential.get("credentialSubject") or {}
    if list_credential.get("id") != entry.get("statusListCredential"):
        raise CredentialError("the status list credential is not the one the entry points at")
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise CredentialError("the status list's purpose differs from the entry's")
    try:
        index = int(entry["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        raise CredentialError("the status entry's statusListIndex must be a whole number") from None
    return Bitstring.decode(subject.get("encodedList", ""))[index]
