"""Bitstring Status Lists: bit order, encoding, and refusing hostile lists."""

import base64
import gzip
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.status_list import (
    MIN_LENGTH,
    Bitstring,
    status_bit,
    status_entry,
    status_list_credential,
)


def test_a_new_list_is_all_clear_and_at_least_the_minimum_length() -> None:
    bits = Bitstring()
    assert len(bits) == MIN_LENGTH == 131_072
    assert not any(bits[index] for index in (0, 1, 7, 8, MIN_LENGTH - 1))


def test_entry_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    bits = Bitstring()
    bits[0] = True
    bits[9] = True
    raw = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000


@given(st.sets(st.integers(0, MIN_LENGTH - 1), max_size=50))
def test_encode_then_decode_keeps_every_bit(indexes: set[int]) -> None:
    bits = Bitstring()
    for index in indexes:
        bits[index] = True
    decoded = Bitstring.decode(bits.encode())
    assert {index for index in indexes if decoded[index]} == indexes
    assert sum(decoded[index] for index in range(0, MIN_LENGTH, 997)) == sum(1 for i in indexes if i % 997 == 0)


def test_clearing_a_bit_reinstates_a_suspended_credential() -> None:
    bits = Bitstring()
    bits[42] = True
    bits[42] = False
    assert not bits[42]


def test_the_encoding_is_deterministic_multibase_base64url() -> None:
    encoded = Bitstring().encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert "+" not in encoded
    assert "/" not in encoded
    assert encoded == Bitstring().encode()


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        ("H4sI", "starts with 'u'"),
        ("u!!!", "not gzipped base64url"),
        ("u" + base64.urlsafe_b64encode(gzip.compress(bytes(16), mtime=0)).decode(), "the minimum is 131072"),
        ("u" + base64.urlsafe_b64encode(gzip.compress(bytes(17 * 1024 * 1024), mtime=0)).decode(), "too large"),
    ],
    ids=["not-multibase", "not-base64url", "too-short", "gzip-bomb"],
)
def test_a_bad_or_hostile_list_is_refused(encoded: str, problem: str) -> None:
    with pytest.raises(CredentialError, match=problem):
        Bitstring.decode(encoded)


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(CredentialError, match="outside the list"):
        Bitstring()[MIN_LENGTH]


def test_the_status_list_credential_reports_an_entry_bit() -> None:
    url = "https://credo.example/status/op/revocation"
    bits = Bitstring()
    bits[7] = True
    credential = status_list_credential(
        url, "did:web:credo.example", "revocation", bits, datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert status_bit(status_entry(url, "revocation", 7), credential)
    assert not status_bit(status_entry(url, "revocation", 8), credential)
    with pytest.raises(CredentialError, match="purpose differs"):
        status_bit(status_entry(url, "suspension", 7), credential)
    with pytest.raises(CredentialError, match="not the one the entry points at"):
        status_bit(status_entry(url + "x", "revocation", 7), credential)
    assert status_entry(url, "revocation", 7)["statusListIndex"] == "7"
