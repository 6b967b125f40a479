"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite.

Signing: canonicalize the proof configuration (the proof without its value,
with the document's @context) and the document without its proof, hash each
with SHA-256, sign the 64 bytes (proof hash first) with Ed25519, and write the
signature as base58btc multibase. Verification repeats the same steps.

credo writes ``proof`` as an array, which the 1EdTech OB 3.0 schema requires
(VC 2.0 allows an object or an array; verification reads either).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credo.credentials.ob3.canonical import DEFAULT_LIMITS, Limits, canonicalize
from credo.credentials.ob3.dates import format_datetime, parse_datetime
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.keys import SigningKey, multibase_decode, multibase_encode, signature_is_valid

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

# Finds the public key behind a verification method (a DID URL); raises CredentialError if it can't.
KeyResolver = Callable[[str], Ed25519PublicKey]


def hash_data(document: dict[str, Any], proof_config: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The 64 bytes eddsa-rdfc-2022 signs: SHA-256 of the canonical proof config, then of the document."""
    canonical_proof = canonicalize(proof_config, limits)
    canonical_document = canonicalize(document, limits)
    return (
        hashlib.sha256(canonical_proof.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def proof_config(document: dict[str, Any], verification_method: str, created: datetime) -> dict[str, Any]:
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }


def sign(document: dict[str, Any], key: SigningKey, created: datetime) -> dict[str, Any]:
    """A copy of ``document`` with a proof by ``key``; the input is left as it was."""
    if "proof" in document:
        raise CredentialError("the document already has a proof; sign the unsigned document")
    config = proof_config(document, key.verification_method, created)
    signature = key.sign(hash_data(document, config))
    proof = {k: v for k, v in config.items() if k != "@context"}
    proof["proofValue"] = multibase_encode(signature)
    return {**document, "proof": [proof]}


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking one proof: ``valid``, or ``problem`` in plain words."""

    valid: bool
    verification_method: str | None = None
    created: datetime | None = None
    problem: str | None = None


def _single_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise CredentialError(f"expected one proof, found {len(proof)}")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise CredentialError("the credential has no proof")
    return proof


def verify(document: dict[str, Any], resolve_key: KeyResolver, limits: Limits = DEFAULT_LIMITS) -> ProofCheck:
    """Check the document's eddsa-rdfc-2022 proof; never raises for a bad credential, only reports."""
    try:
        proof = _single_proof(document)
        if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
            raise CredentialError(
                f"the proof is {proof.get('type')!r} / {proof.get('cryptosuite')!r}; "
                f"credo checks {PROOF_TYPE} / {CRYPTOSUITE}"
            )
        if proof.get("proofPurpose") != "assertionMethod":
            raise CredentialError(f"the proof's purpose is {proof.get('proofPurpose')!r}, not assertionMethod")
        method = proof.get("verificationMethod")
        if not isinstance(method, str) or "#" not in method:
            raise CredentialError("the proof's verificationMethod must be a DID URL with a #fragment")
        created = parse_datetime(proof.get("created"), "the proof's created date")
        signature = multibase_decode(proof.get("proofValue", ""))
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        if "@context" in config and config["@context"] != document.get("@context"):
            raise CredentialError("the proof's @context differs from the credential's")
        config["@context"] = document.get("@context")
        public_key = resolve_key(method)
        data = hash_data(unsecured, config, limits)
    except CredentialError as error:
        return ProofCheck(False, problem=str(error))
    if not signature_is_valid(public_key, signature, data):
        return ProofCheck(
            False,
            method,
            created,
            "the signature does not match: the credential was changed after signing, or signed by another key",
        )
    return ProofCheck(True, method, created)
