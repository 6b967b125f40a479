"""POST /api/v1/credentials/verify and /verify/file: real credentials, each check answered, hostile input refused."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from credo.accounts.models import User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services, verification
from credo.credentials.models import Attainment, Credential, Issuer
from credo.credentials.ob3 import baking, proofs
from credo.credentials.ob3.keys import SigningKey
from credo.credentials.services import issuance
from credo.credentials.services.issuers import signing_key_for
from credo.credentials.tests.ob3_samples import ISSUED, micro_credential

from .conftest import attain

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/credentials/verify"
VERIFY_FILE = "/api/v1/credentials/verify/file"
SITE = "http://127.0.0.1:8000"


# Credentials and how they are sent ------------------------------------------------------------------


@pytest.fixture
def credential(award_attainments: list[Attainment]) -> Credential:
    return issuance.issue_credential(award_attainments[0])


def document(credential: Credential) -> dict[str, Any]:
    return json.loads(credential.issued_json)


def tampered(credential: Credential) -> dict[str, Any]:
    """The credential with one character of the learner's name changed."""
    changed = document(credential)
    name = changed["credentialSubject"]["identifier"][0]
    name["identityHash"] = "X" + name["identityHash"][1:]
    return changed


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'


def post_json(client: Client, body: Any) -> Any:
    return client.post(VERIFY, json.dumps(body), content_type="application/json")


def post_file(client: Client, content: bytes, name: str = "credential.json") -> Any:
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(VERIFY_FILE, {"file": upload})


def checks(body: dict[str, Any]) -> dict[str, bool | None]:
    return {check["name"]: check["passed"] for check in body["checks"]}


def detail(body: dict[str, Any], name: str) -> str:
    return next(check["detail"] for check in body["checks"] if check["name"] == name)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to resolve a name or open a connection is recorded and refused."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# What is verified -----------------------------------------------------------------------------------


def test_a_genuine_credential_verifies_with_every_check_in_plain_words(credential: Credential, client: Client) -> None:
    response = post_json(client, {"credential": document(credential)})
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert body["summary"] == "Verified"
    assert checks(body) == {"Signature": True, "Issuer and key": True, "Dates": True, "Status": True, "Schema": True}
    assert "nothing has changed since the issuer signed it" in detail(body, "Signature")
    assert "Signed by Test Awarding Body, an issuer registered on this site" in detail(body, "Issuer and key")
    assert body["id"] == credential.urn
    assert body["kind"] == "Open Badge"
    assert body["issuer"] == {"id": credential.issuer.did, "name": "Test Awarding Body"}
    assert body["learner"] == credential.learner.full_name
    assert body["achievement"] == credential.attainment.achievement.name  # type: ignore[union-attr]
    assert body["revoked"] is False
    assert body["embedded"] == []


@pytest.mark.parametrize("address", ["{site}/credentials/{id}", "{site}/credentials/{id}.json", "urn:uuid:{id}"])
def test_one_of_credos_own_credentials_verifies_by_its_address(
    credential: Credential, client: Client, address: str
) -> None:
    url = address.format(site=SITE, id=credential.public_id)
    body = post_json(client, {"url": url}).json()
    assert body["verified"] is True
    assert body["id"] == credential.urn


def test_a_changed_name_breaks_the_signature(credential: Credential, client: Client) -> None:
    body = post_json(client, {"credential": tampered(credential)}).json()
    assert body["verified"] is False
    assert checks(body)["Signature"] is False
    assert body["summary"].startswith("Not verified: the signature does not match")
    assert "changed since it was signed" in detail(body, "Signature")
    assert checks(body)["Issuer and key"] is None  # no valid signature, so no signer to compare


def test_a_revoked_credential_is_reported_revoked(credential: Credential, ratifier: User, client: Client) -> None:
    services.revoke(credential, actor=ratifier, reason="Issued in error")
    body = post_json(client, {"credential": document(credential)}).json()
    assert body["revoked"] is True
    assert body["verified"] is False
    assert body["summary"].startswith("Revoked: ")
    assert checks(body)["Signature"] is True
    assert detail(body, "Status") == "The issuer's status list says it has been revoked."


def test_a_suspended_credential_is_reported_suspended(credential: Credential, ratifier: User, client: Client) -> None:
    services.suspend(credential, actor=ratifier, reason="Under investigation")
    body = post_json(client, {"url": f"{SITE}/credentials/{credential.public_id}"}).json()
    assert body["suspended"] is True
    assert body["verified"] is False
    assert body["summary"].startswith("Suspended: ")


def test_an_expired_credential_fails_on_its_dates(
    award_attainments: list[Attainment], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    achievement = award_attainments[0].achievement
    achievement.valid_for_days = 365
    achievement.save()
    two_years_ago = timezone.now() - timedelta(days=730)
    with monkeypatch.context() as frozen:
        frozen.setattr(timezone, "now", lambda: two_years_ago)
        credential = issuance.issue_credential(award_attainments[0])
    body = post_json(client, {"credential": document(credential)}).json()
    assert checks(body)["Dates"] is False
    assert body["summary"].startswith("Not verified: it expired on ")
    assert body["valid_until"] is not None
    assert checks(body)["Signature"] is True


def test_a_transcript_reports_on_each_credential_it_bundles(
    issuer: Issuer, award_attainments: list[Attainment], learner: User, client: Client
) -> None:
    issuance.issue_pending(issuer)
    transcript = issuance.issue_transcript(learner, issuer)
    body = post_json(client, {"url": f"{SITE}/credentials/{transcript.public_id}.json"}).json()
    assert body["verified"] is True
    assert body["kind"] == "CLR transcript"
    assert checks(body)["Schema"] is None
    assert len(body["embedded"]) == 4
    assert all(inner["verified"] and inner["kind"] == "Open Badge" for inner in body["embedded"])
    assert {inner["achievement"] for inner in body["embedded"]} >= {a.achievement.name for a in award_attainments}


def test_a_credential_from_elsewhere_verifies_with_what_could_not_be_checked_said(
    client: Client, no_network: list[Any], db: None
) -> None:
    key = SigningKey.generate()
    elsewhere = proofs.sign(micro_credential(key), key, ISSUED)
    body = post_json(client, {"credential": elsewhere}).json()
    assert body["verified"] is True
    assert body["summary"] == "Verified, but some checks could not be made: see which below."
    assert checks(body) == {"Signature": True, "Issuer and key": None, "Dates": True, "Status": None, "Schema": True}
    # Anyone can make a key and give themselves a college's name: the name is reported as their own claim.
    assert "not registered on this site, so credo cannot confirm who they are" in detail(body, "Issuer and key")
    assert "is their own claim" in detail(body, "Issuer and key")
    assert detail(body, "Status").startswith("Not checked: the status list is not on this site")
    assert no_network == []


def test_a_credential_signed_after_its_did_web_key_was_retired_is_refused(
    credential: Credential, issuer: Issuer, catalogue_admin: Any, client: Client
) -> None:
    """A retired key that leaked must not be able to mint credentials that verify."""
    old = credential.signing_key
    old_key = signing_key_for(issuer, old)
    services.rotate_key(issuer, actor=catalogue_admin)
    old.refresh_from_db()
    forged = document(credential)
    del forged["proof"]
    body = post_json(client, {"credential": proofs.sign(forged, old_key, old.retired_at + timedelta(days=1))}).json()
    assert checks(body)["Signature"] is True
    assert checks(body)["Issuer and key"] is False
    assert "a retired key signs nothing new" in body["summary"]
    assert post_json(client, {"credential": document(credential)}).json()["verified"] is True, "earlier ones verify"


def test_a_key_that_is_not_the_issuers_is_caught(credential: Credential, client: Client) -> None:
    """Someone signs a copy with their own did:key but leaves the issuer's name and DID in it."""
    key = SigningKey.generate()
    forged = document(credential)
    del forged["proof"]
    body = post_json(client, {"credential": proofs.sign(forged, key, ISSUED)}).json()
    assert checks(body)["Signature"] is True
    assert checks(body)["Issuer and key"] is False
    assert body["summary"] == (
        f"Not verified: the issuer it names ({credential.issuer.did}) is not the one whose key signed it "
        f"({key.controller})."
    )


def test_a_transcript_of_many_credentials_for_one_learner_verifies(
    issuer: Issuer,
    award_attainments: list[Attainment],
    catalogue: SmallCatalogue,
    learner: User,
    ratifier: User,
    client: Client,
) -> None:
    """Each bundled credential repeats the learner's name object: look-alike blank nodes that are harmless."""
    for unit in [*catalogue.certificate_only_units, *catalogue.optional_units[:2]]:
        attain(learner, unit, ratifier)
    issuance.issue_pending(issuer)
    transcript = issuance.issue_transcript(learner, issuer)
    body = post_json(client, {"credential": document(transcript)}).json()
    assert len(body["embedded"]) > 8
    assert body["verified"] is True, body["summary"]


def test_checking_stops_when_the_time_is_spent(
    issuer: Issuer, award_attainments: list[Attainment], learner: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    issuance.issue_pending(issuer)
    transcript = issuance.issue_transcript(learner, issuer)
    ticks = iter(range(0, 1000, 6))  # six seconds pass between looks at the clock
    monkeypatch.setattr(verification, "_clock", lambda: float(next(ticks)))
    body = post_json(client, {"credential": document(transcript)}).json()
    assert checks(body)["Signature"] is True  # the transcript itself was checked in time
    assert body["verified"] is False
    late = [inner for inner in body["embedded"] if inner["checks"][0]["passed"] is False]
    assert late
    assert "checking took longer than 10 seconds" in late[0]["checks"][0]["detail"]


@pytest.mark.parametrize(("name", "bake"), [("badge.png", "png"), ("badge.svg", "svg"), ("credential.json", "json")])
def test_a_file_verifies_whether_json_or_a_baked_badge(
    credential: Credential, client: Client, name: str, bake: str
) -> None:
    content = {
        "png": lambda: baking.bake_png(png(), credential.issued_json),
        "svg": lambda: baking.bake_svg(SVG, credential.issued_json).encode(),
        "json": lambda: credential.issued_json.encode(),
    }[bake]()
    body = post_file(client, content, name).json()
    assert body["verified"] is True
    assert body["id"] == credential.urn


def test_a_files_kind_is_read_from_its_content_not_its_name(credential: Credential, client: Client) -> None:
    body = post_file(client, baking.bake_png(png(), credential.issued_json), "credential.json").json()
    assert body["verified"] is True


def test_no_sign_in_and_no_csrf_token_are_needed(credential: Credential) -> None:
    client = Client(enforce_csrf_checks=True)
    assert post_json(client, {"credential": document(credential)}).status_code == 200
    assert post_file(client, credential.issued_json.encode()).status_code == 200


def test_the_openapi_document_describes_both_endpoints(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "no CSRF token" in paths["/api/v1/credentials/verify"]["post"]["description"]
    assert "multipart/form-data" in paths["/api/v1/credentials/verify/file"]["post"]["requestBody"]["content"]


# Who may verify a private credential by its address ------------------------------------------------


@pytest.fixture
def private(credential: Credential) -> Credential:
    credential.is_public = False
    credential.save()
    return credential


@pytest.mark.parametrize("who", ["learner", "ratifier", "catalogue_admin"])
def test_a_private_credential_verifies_by_address_for_its_learner_and_issuer_staff(
    private: Credential, client_for: Callable[[User | None], Client], who: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    body = post_json(client, {"url": f"{SITE}/credentials/{private.public_id}"}).json()
    assert body["verified"] is True


@pytest.mark.parametrize("who", [None, "outsider", "external_qa", "centre_admin"])
def test_a_private_credential_is_not_found_by_address_for_anyone_else(
    private: Credential, client_for: Callable[[User | None], Client], who: str | None, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who) if who else None)
    response = post_json(client, {"url": f"{SITE}/credentials/{private.public_id}"})
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "There is no credential at this address, or its learner has not made it public."
    ]


# Input that is refused, and why ---------------------------------------------------------------------


def test_another_sites_address_is_refused_and_never_fetched(client: Client, no_network: list[Any], db: None) -> None:
    response = post_json(client, {"url": "https://example.org/x.json"})
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert "credo checks only its own credentials by address" in problem
    assert "Download the credential from example.org and upload the file instead" in problem
    assert no_network == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"{SITE}/catalogue/", "This is not the address of a credential"),
        (f"{SITE}/credentials/not-a-uuid", "This is not the address of a credential"),
        ("credentials/123", "Give the credential's full address"),
        ("urn:uuid:nonsense", "This is not the address of a credential"),
        (f"{SITE}/credentials/00000000-0000-4000-8000-000000000000", "There is no credential at this address"),
    ],
)
def test_an_address_that_is_not_a_credential_here_is_refused(client: Client, db: None, url: str, problem: str) -> None:
    response = post_json(client, {"url": url})
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith(problem)


@pytest.mark.parametrize("body", [{}, {"url": f"{SITE}/credentials/x", "credential": {"id": "x"}}])
def test_exactly_one_of_url_and_credential_is_given(client: Client, db: None, body: dict[str, Any]) -> None:
    response = post_json(client, body)
    assert response.status_code == 422
    assert "give exactly one of url or credential" in response.json()["problems"][0]


def test_a_credential_that_is_not_an_object_is_refused(client: Client, db: None) -> None:
    response = post_json(client, {"credential": [1, 2, 3]})
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("body.payload.credential:")


def deep(levels: int) -> dict[str, Any]:
    document: dict[str, Any] = {"leaf": True}
    for _ in range(levels):
        document = {"inner": document}
    return document


def node_bomb() -> dict[str, Any]:
    """Thousands of values on one thing: the JSON-LD processor compares each with every other."""
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"] * 5_000}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("this is not JSON", "This is not JSON"),
        ("[1, 2]", "A credential is a JSON object ({…}); this is a list."),
        ('{"credential": ' + "[" * 100_000 + "]" * 100_000 + "}", "The credential is nested too deeply"),
        (json.dumps({"credential": deep(40)}), "The credential is nested too deeply"),
        (json.dumps({"credential": {"x": "y" * 1_100_000}}), "The credential is too large"),
        (json.dumps({"credential": {"x": "y" * 3_000_000}}), "The credential is too large"),
        (
            json.dumps({"credential": {"x": [{"y": [{"n": i} for i in range(100)]} for _ in range(30)]}}),
            "The credential is too large",
        ),
        (
            json.dumps({"credential": node_bomb()}),
            "The credential gives one of its objects more than 200 values of 'type'",
        ),
    ],
    ids=[
        "not-json",
        "array",
        "nested-beyond-recursion",
        "nested",
        "oversize",
        "beyond-upload-limit",
        "objects",
        "values",
    ],
)
def test_hostile_or_malformed_bodies_are_refused_saying_why(client: Client, db: None, body: str, problem: str) -> None:
    response = client.post(VERIFY, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith(problem)
    assert response.json()["detail"] == response.json()["problems"][0]


def twins(children: int) -> list[dict[str, Any]]:
    """Two identical unnamed objects, each with identical unnamed children: RDFC-1.0 permutes the children."""
    child = {"type": ["Alignment"], "targetName": "same", "targetUrl": "https://example.org/same"}
    return [
        {
            "type": ["Alignment"],
            "targetName": "twin",
            "targetUrl": "https://example.org/twin",
            "alignment": [dict(child) for _ in range(children)],
        }
        for _ in range(2)
    ]


def test_twin_objects_with_many_identical_children_are_not_canonicalized(
    credential: Credential, client: Client
) -> None:
    bomb = document(credential)
    bomb["credentialSubject"]["achievement"]["alignment"] = twins(9)
    body = post_json(client, {"credential": bomb}).json()
    assert body["verified"] is False
    assert "indistinguishable blank nodes (the limit is 12)" in detail(body, "Signature")


def test_blank_node_names_are_refused(client: Client, db: None) -> None:
    """With names, blank nodes can refer to each other in a tangle that takes RDFC-1.0 hours to sort out."""
    tangle = [{"id": f"_:b{i}", "related": [f"_:b{j}" for j in range(10) if j != i]} for i in range(10)]
    response = post_json(client, {"credential": {"@context": [], "credentialSubject": tangle}})
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("The credential names a blank node ('_:b")


def test_a_blank_node_bomb_is_not_canonicalized(credential: Credential, client: Client) -> None:
    """Look-alike blank nodes make RDFC-1.0 exponential: the canonicalizer refuses them past the public limit."""
    bomb = document(credential)
    alignment = bomb["credentialSubject"]["achievement"]["alignment"][0]
    bomb["credentialSubject"]["achievement"]["alignment"] = [dict(alignment) for _ in range(20)]
    body = post_json(client, {"credential": bomb}).json()
    assert body["verified"] is False
    assert body["summary"].startswith("Not verified: the signature could not be checked: the document has 20")
    assert "indistinguishable blank nodes" in detail(body, "Signature")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty."),
        (b"not json at all", "This is not JSON"),
        (b"[]", "A credential is a JSON object"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "The PNG image is"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "This SVG image carries no credential"),
        (b"<!DOCTYPE svg><svg/>", "SVG images with a DOCTYPE or entities are not accepted"),
        (b"[" * 10_000, "The credential is nested too deeply"),
        (b" " * (6 * 1024 * 1024), "The file is too large"),
    ],
    ids=["empty", "not-json", "array", "broken-png", "svg-without-credential", "svg-doctype", "deep", "oversize"],
)
def test_a_file_that_is_no_credential_is_refused_saying_why(
    client: Client, db: None, content: bytes, problem: str
) -> None:
    response = post_file(client, content)
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith(problem)


def test_a_png_without_a_credential_is_refused(client: Client, db: None) -> None:
    response = post_file(client, png(), "badge.png")
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "This PNG image carries no credential (no iTXt chunk named openbadgecredential)."
    ]


def test_a_request_without_a_file_is_refused(client: Client, db: None) -> None:
    response = client.post(VERIFY_FILE, {})
    assert response.status_code == 422
    assert response.json()["problems"] == ["file.file: Field required"]


def test_each_client_may_verify_thirty_times_a_minute(credential: Credential, client: Client) -> None:
    body = {"credential": document(credential)}
    for _ in range(30):
        assert post_json(client, body).status_code == 200
    refused = post_json(client, body)
    assert refused.status_code == 429
    assert refused["Retry-After"]


def test_the_rate_limit_is_off_when_rate_limits_are(client: Client, settings: Any, db: None) -> None:
    settings.CREDO_RATE_LIMITS = False  # CREDO_RATE_LIMITS=0, as for sign-in
    for _ in range(31):
        assert post_json(client, {"url": f"{SITE}/credentials/00000000-0000-4000-8000-000000000000"}).status_code == 422
