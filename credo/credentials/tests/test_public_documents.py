"""What machines fetch: DID documents, status lists, credentials exactly as issued."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.credentials.models import Attainment, Issuer
from credo.credentials.services import issuance

pytestmark = pytest.mark.django_db


def test_the_did_document_lists_public_keys_and_nothing_secret(issuer: Issuer, client: Client) -> None:
    response = client.get("/issuers/test-awards/did.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+json")
    document = response.json()
    assert document["id"] == issuer.did
    assert document["assertionMethod"] == [f"{issuer.did}#key-1"]
    key = issuer.keys.get()
    assert document["verificationMethod"][0]["publicKeyMultibase"] == key.public_key_multibase
    assert "secret" not in response.content.decode().lower()
    assert "private" not in response.content.decode().lower()


def test_an_unknown_issuer_has_no_did_document(client: Client, db: None) -> None:
    assert client.get("/issuers/nobody/did.json").status_code == 404


def test_the_status_list_is_signed_and_briefly_cacheable(award_attainments: list[Attainment], client: Client) -> None:
    credential = issuance.issue_credential(award_attainments[0])
    entry = json.loads(credential.issued_json)["credentialStatus"][0]
    path = entry["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.json()
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert client.get("/status/test-awards/revocation/99").status_code == 404


def test_the_credential_json_is_byte_for_byte_what_was_issued(
    award_attainments: list[Attainment], client: Client
) -> None:
    credential = issuance.issue_credential(award_attainments[0])
    response = client.get(f"/credentials/{credential.public_id}.json")
    assert response.status_code == 200
    assert response.content.decode() == credential.issued_json
    assert response["X-Robots-Tag"] == "noindex"


def test_a_private_credential_is_hidden_from_everyone_but_its_learner_and_issuer(
    award_attainments: list[Attainment],
    client_for: object,
    learner: User,
    ratifier: User,
    outsider: User,
    external_qa: User,
) -> None:
    credential = issuance.issue_credential(award_attainments[0])
    credential.is_public = False
    credential.save()
    url = f"/credentials/{credential.public_id}.json"
    assert Client().get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404  # type: ignore[operator]
    assert client_for(external_qa).get(url).status_code == 404  # type: ignore[operator]
    assert client_for(learner).get(url).status_code == 200  # type: ignore[operator]
    response = client_for(ratifier).get(url)  # type: ignore[operator]
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=0", "no shared cache may keep a private credential"
