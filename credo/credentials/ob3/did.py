"""DID documents for issuers: did:key (no domain needed) and did:web (the issuer's own site).

A did:web document lists every key the issuer has ever signed with under
``assertionMethod``, so credentials signed before a key rotation keep
verifying: a verifier checks the proof's key against that list. A retired key
stays published; it just signs nothing new.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credo.credentials.ob3.contexts import DID_V1, MULTIKEY_V1
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.keys import public_key_multibase


def did_web(site_url: str, *path: str) -> str:
    """The did:web for a site and path: https://credo.example/issuers/otago -> did:web:credo.example:issuers:otago."""
    parts = urlsplit(site_url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise CredentialError(f"a did:web needs a site URL like https://credo.example, not {site_url!r}")
    host = quote(parts.netloc, safe="")  # a port's colon is percent-encoded, as did:web requires
    segments = [segment for segment in (*parts.path.split("/"), *path) if segment]
    return ":".join(["did:web", host, *(quote(segment, safe="") for segment in segments)])


def did_web_document_url(did: str) -> str:
    """Where a did:web document lives: did:web:example.com -> https://example.com/.well-known/did.json."""
    if not did.startswith("did:web:"):
        raise CredentialError(f"{did!r} is not a did:web")
    host, *segments = did.removeprefix("did:web:").split(":")
    path = "/".join(unquote(segment) for segment in segments) if segments else ".well-known"
    return f"https://{unquote(host)}/{path}/did.json"


@dataclass(frozen=True)
class PublishedKey:
    public_key: Ed25519PublicKey
    fragment: str | None = None

    @property
    def multibase(self) -> str:
        return public_key_multibase(self.public_key)


def did_document(did: str, keys: list[PublishedKey]) -> dict[str, Any]:
    """A DID document with each key as an Ed25519 Multikey, usable for assertions."""
    methods = []
    for key in keys:
        method_id = f"{did}#{key.fragment or key.multibase}"
        methods.append({"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": key.multibase})
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def did_key_document(public_key: Ed25519PublicKey) -> dict[str, Any]:
    multibase = public_key_multibase(public_key)
    return did_document(f"did:key:{multibase}", [PublishedKey(public_key, multibase)])


def assertion_key(document: dict[str, Any], verification_method: str) -> str:
    """The publicKeyMultibase of ``verification_method`` if the document lets it make assertions."""
    authorised = {
        (entry if isinstance(entry, str) else entry.get("id")) for entry in document.get("assertionMethod", [])
    }
    if verification_method not in authorised:
        raise CredentialError(
            f"the issuer's DID document does not authorise {verification_method} to issue credentials"
        )
    for method in document.get("verificationMethod", []):
        if method.get("id") == verification_method and method.get("type") == "Multikey":
            return str(method["publicKeyMultibase"])
    for entry in document.get("assertionMethod", []):
        if isinstance(entry, dict) and entry.get("id") == verification_method:
            return str(entry["publicKeyMultibase"])
    raise CredentialError(f"the issuer's DID document has no Multikey {verification_method}")
