"""did:key and did:web identifiers and documents."""

import pytest

from credo.credentials.ob3.did import (
    PublishedKey,
    assertion_key,
    did_document,
    did_key_document,
    did_web,
    did_web_document_url,
)
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.keys import SigningKey, did_key, public_key_from_did_key, public_key_from_multibase


def test_did_key_is_the_multikey_of_the_public_key() -> None:
    key = SigningKey.generate()
    assert did_key(key.public_key) == "did:key:" + key.public_key_multibase
    assert key.public_key_multibase.startswith("z6Mk")
    assert public_key_from_did_key(key.verification_method) == key.public_key


@pytest.mark.parametrize(
    ("site", "path", "did", "url"),
    [
        (
            "https://credo.example",
            ("issuers", "otago"),
            "did:web:credo.example:issuers:otago",
            "https://credo.example/issuers/otago/did.json",
        ),
        (
            "https://credo.example:8443/",
            (),
            "did:web:credo.example%3A8443",
            "https://credo.example:8443/.well-known/did.json",
        ),
        (
            "https://example.org/credo",
            ("issuers", "seg"),
            "did:web:example.org:credo:issuers:seg",
            "https://example.org/credo/issuers/seg/did.json",
        ),
    ],
)
def test_did_web_follows_the_method_rules(site: str, path: tuple[str, ...], did: str, url: str) -> None:
    assert did_web(site, *path) == did
    assert did_web_document_url(did) == url


def test_did_web_needs_a_site_url() -> None:
    with pytest.raises(CredentialError, match="needs a site URL"):
        did_web("credo.example")


def test_a_did_document_lists_every_key_for_assertions() -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    did = "did:web:credo.example:issuers:otago"
    document = did_document(did, [PublishedKey(old.public_key, "key-1"), PublishedKey(new.public_key, "key-2")])
    assert document["assertionMethod"] == [f"{did}#key-1", f"{did}#key-2"]
    assert public_key_from_multibase(assertion_key(document, f"{did}#key-1")) == old.public_key
    with pytest.raises(CredentialError, match="does not authorise"):
        assertion_key(document, f"{did}#key-3")


def test_a_did_key_document_names_itself() -> None:
    key = SigningKey.generate()
    document = did_key_document(key.public_key)
    assert document["id"] == key.controller
    assert document["verificationMethod"][0]["id"] == key.verification_method
