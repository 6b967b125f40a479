"""The W3C eddsa-rdfc-2022 test vector, reproduced exactly: canonical form, hashes, signature, proof."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credo.credentials.ob3.canonical import canonicalize
from credo.credentials.ob3.keys import SigningKey, public_key_from_did_key
from credo.credentials.ob3.proofs import hash_data, proof_config, sign, verify

VECTORS = Path(__file__).parent / "vectors" / "vc-di-eddsa"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)


def vector(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8")


def vector_json(name: str) -> Any:
    return json.loads(vector(name))


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.from_secret_multibase(vector_json("keyPair.json")["privateKeyMultibase"])


def test_the_key_pair_round_trips_through_multikey(key: SigningKey) -> None:
    pair = vector_json("keyPair.json")
    assert key.public_key_multibase == pair["publicKeyMultibase"]
    assert key.secret_multibase() == pair["privateKeyMultibase"]


def test_the_document_canonicalizes_to_the_vector() -> None:
    assert canonicalize(vector_json("unsigned.json")) == vector("canonDocDataInt.txt")


def test_the_proof_configuration_canonicalizes_to_the_vector(key: SigningKey) -> None:
    config = proof_config(vector_json("unsigned.json"), key.verification_method, CREATED)
    assert config == vector_json("proofConfigDataInt.json")
    assert canonicalize(config) == vector("proofCanonDataInt.txt")


def test_both_hashes_match_the_vector(key: SigningKey) -> None:
    document = vector_json("unsigned.json")
    data = hash_data(document, proof_config(document, key.verification_method, CREATED))
    assert data[:32].hex() == vector("proofHashDataInt.txt").strip()
    assert data[32:].hex() == vector("docHashDataInt.txt").strip()
    assert data.hex() == vector("combinedHashDataInt.txt").strip()
    assert hashlib.sha256(vector("canonDocDataInt.txt").encode()).hexdigest() == vector("docHashDataInt.txt").strip()


def test_the_signature_and_proof_value_match_the_vector(key: SigningKey) -> None:
    signed = sign(vector_json("unsigned.json"), key, CREATED)
    expected = vector_json("signedDataInt.json")["proof"]
    assert signed["proof"] == [expected]
    document = vector_json("unsigned.json")
    signature = key.sign(hash_data(document, proof_config(document, key.verification_method, CREATED)))
    assert signature.hex() == vector("sigHexDataInt.txt").strip()
    assert expected["proofValue"] == vector("sigBTC58DataInt.txt").strip()


def test_the_signed_vector_verifies_and_a_changed_copy_does_not() -> None:
    signed = vector_json("signedDataInt.json")
    assert verify(signed, public_key_from_did_key).valid
    signed["credentialSubject"]["alumniOf"] = "Another School"
    check = verify(signed, public_key_from_did_key)
    assert not check.valid
    assert "does not match" in (check.problem or "")
