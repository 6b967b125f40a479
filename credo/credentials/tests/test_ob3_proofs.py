"""Signing and verifying credo's credentials: any change after signing breaks the proof."""

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.credentials.ob3 import compose
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.keys import SigningKey, public_key_from_did_key
from credo.credentials.ob3.proofs import sign, verify

from .ob3_samples import micro_credential

KEY = SigningKey.generate()
SIGNED = sign(micro_credential(KEY), KEY, datetime(2024, 11, 20, 9, 31, tzinfo=UTC))


def test_a_signed_credential_verifies_with_its_did_key() -> None:
    check = verify(SIGNED, public_key_from_did_key)
    assert check.valid, check.problem
    assert check.verification_method == KEY.verification_method
    assert SIGNED["proof"][0]["proofValue"].startswith("z")


def test_signing_leaves_the_input_alone_and_refuses_a_signed_document() -> None:
    unsigned = micro_credential(KEY)
    before = copy.deepcopy(unsigned)
    sign(unsigned, KEY, datetime.now(UTC))
    assert unsigned == before
    with pytest.raises(CredentialError, match="already has a proof"):
        sign(SIGNED, KEY, datetime.now(UTC))


def test_another_key_does_not_verify() -> None:
    other = SigningKey.generate()
    check = verify(SIGNED, lambda method: other.public_key)
    assert not check.valid


def test_a_proof_written_as_an_object_verifies_too() -> None:
    as_object = {**SIGNED, "proof": SIGNED["proof"][0]}
    assert verify(as_object, public_key_from_did_key).valid


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda proof: proof.pop("proofValue"), "base58btc"),
        (
            lambda proof: proof.update(cryptosuite="ecdsa-rdfc-2019"),
            "credo checks DataIntegrityProof / eddsa-rdfc-2022",
        ),
        (lambda proof: proof.update(proofPurpose="authentication"), "not assertionMethod"),
        (lambda proof: proof.update(verificationMethod="did:key:z6Mk"), "DID URL with a #fragment"),
        (lambda proof: proof.update(created="yesterday"), "created date"),
    ],
)
def test_a_malformed_proof_is_reported_in_words(change: Any, problem: str) -> None:
    document = copy.deepcopy(SIGNED)
    change(document["proof"][0])
    check = verify(document, public_key_from_did_key)
    assert not check.valid
    assert problem in (check.problem or "")


def test_a_missing_proof_is_reported() -> None:
    unsigned = {key: value for key, value in SIGNED.items() if key != "proof"}
    assert verify(unsigned, public_key_from_did_key).problem == "the credential has no proof"


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaf_paths(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaf_paths(item, (*path, index))]
    return [path]


LEAVES = [path for path in _leaf_paths(SIGNED) if path[0] != "@context"]


def _changed(value: Any, text: str) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return value + text if text else value + "x"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(LEAVES), text=st.text(min_size=1, max_size=3))
def test_any_change_to_a_signed_credential_fails_verification(path: tuple[Any, ...], text: str) -> None:
    document = copy.deepcopy(SIGNED)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = _changed(parent[path[-1]], text)
    assert not verify(document, public_key_from_did_key).valid


SCRIPTS = st.sampled_from(
    [
        "Te Whānau-ā-Apanui, Ngāti Porou",
        "Aroha 🌱✨ Ngata",
        "مرحبا بالعالم",
        "שלום עולם",
        "\uff21\uff22\uff23 \U0001f600 \uff5a",
        "tab\there\nnew line\x07bell\x00nul",
        "\u202eright-to-left override",
        'Zoë O\'Brien-Smith "quoted" \\ backslash',
    ]
)


@settings(max_examples=30, deadline=None)
@given(name=st.one_of(SCRIPTS, st.text(max_size=40)), narrative=st.one_of(SCRIPTS, st.text(min_size=1, max_size=80)))
def test_names_and_narratives_in_any_script_sign_and_verify(name: str, narrative: str) -> None:
    signed = sign(micro_credential(KEY, learner_name=name, narrative=narrative), KEY, datetime.now(UTC))
    assert verify(signed, public_key_from_did_key).valid


def test_a_clr_bundling_signed_credentials_signs_and_verifies() -> None:
    issuer = compose.Profile(id=KEY.controller, name="SEG Awards")
    facts = compose.CredentialFacts(
        id="urn:uuid:0b8d2b6c-3c1e-4d7a-8f4e-2a9b1c0d5e6f",
        issuer=issuer,
        valid_from=datetime(2025, 7, 1, tzinfo=UTC),
        name="Community Organising transcript",
    )
    learner = compose.Learner(name="Sam Patel", email="sam@example.org", salt="5a1t")
    clr = sign(compose.clr_credential(facts, learner, [SIGNED]), KEY, datetime.now(UTC))
    assert clr["credentialSubject"]["verifiableCredential"] == [SIGNED]
    assert verify(clr, public_key_from_did_key).valid
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][0]["name"] = "Something else"
    assert not verify(tampered, public_key_from_did_key).valid


def test_a_transcript_of_many_credentials_signs_and_verifies() -> None:
    """Each bundled credential repeats the learner's name object: alike, but told apart by their credentials."""
    bundled = []
    for number in range(40):
        credential = copy.deepcopy(SIGNED)
        credential.pop("proof")
        credential["id"] = f"urn:uuid:00000000-0000-4000-8000-{number:012d}"
        credential["credentialSubject"]["achievement"]["id"] = f"https://credo.example/achievements/{number}"
        bundled.append(sign(credential, KEY, datetime(2025, 7, 1, tzinfo=UTC)))
    facts = compose.CredentialFacts(
        id="urn:uuid:0b8d2b6c-3c1e-4d7a-8f4e-2a9b1c0d5e70",
        issuer=compose.Profile(id=KEY.controller, name="SEG Awards"),
        valid_from=datetime(2025, 7, 1, tzinfo=UTC),
        name="A long transcript",
    )
    learner = compose.Learner(name="Sam Patel", email="sam@example.org", salt="5a1t")
    clr = sign(compose.clr_credential(facts, learner, bundled), KEY, datetime.now(UTC))
    assert verify(clr, public_key_from_did_key).valid


@pytest.mark.parametrize("suffix", [" ", "\n", "\t"])
def test_a_proof_value_with_trailing_white_space_does_not_verify(suffix: str) -> None:
    """The base58 library would forgive it; a signature must be exactly as written."""
    document = copy.deepcopy(SIGNED)
    document["proof"][0]["proofValue"] += suffix
    assert not verify(document, public_key_from_did_key).valid
