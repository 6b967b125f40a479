"""The public verify page: by address (also straight from a link), by file, by pasted JSON; hostile input refused."""

from __future__ import annotations

import io
import json
import re
import socket
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from credo.accounts.models import User
from credo.credentials import services
from credo.credentials.models import Attainment, Credential, Issuer
from credo.credentials.ob3 import baking
from credo.credentials.services import issuance

pytestmark = pytest.mark.django_db

PAGE = "/verify"
SITE = "http://127.0.0.1:8000"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'


@pytest.fixture
def credential(award_attainments: list[Attainment]) -> Credential:
    return issuance.issue_credential(award_attainments[0])


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


def paste(client: Client, text: str, **headers: str) -> Any:
    return client.post(PAGE, {"way": "paste", "credential": text}, headers=headers)


def upload(client: Client, content: bytes, name: str = "credential.json") -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(PAGE, {"way": "file", "file": file})


def words(html: str) -> str:
    """The words in ``html``, without markup: what a person reads (and a screen reader says)."""
    return re.sub(r"\s+([:.,])", r"\1", " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()))


def text(response: Any) -> str:
    return words(response.content.decode())


def verdict(response: Any) -> str:
    match = re.search(r'<span class="status-word">(.*?)</span></p>', response.content.decode(), re.S)
    assert match, "no verdict on the page"
    return words(match[1])


def shown_result(response: Any) -> str:
    """The words of the result a person sees without opening the technical details."""
    html = response.content.decode()
    html = html[html.index('<section class="verify-result"') : html.index('id="check-another"')]
    return words(re.sub(r'<details class="technical">.*?</details>', "", html, flags=re.S))


def technical_details(response: Any) -> str:
    """The words behind the report's "Technical details" toggle."""
    match = re.search(r'<details class="technical">(.*?)</details>', response.content.decode(), re.S)
    assert match, "no technical details on the page"
    return words(match[1])


def tampered(credential: Credential) -> str:
    changed = json.loads(credential.issued_json)
    name = changed["credentialSubject"]["identifier"][0]
    name["identityHash"] = "X" + name["identityHash"][1:]
    return json.dumps(changed)


# The form ----------------------------------------------------------------------------------------------


def test_the_page_offers_three_ways_in_that_work_without_javascript(client: Client, db: None) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form id="by-address" method="get" action="/verify"' in html
    assert '<form id="by-file" method="post" action="/verify" enctype="multipart/form-data"' in html
    assert '<form id="by-paste" method="post" action="/verify"' in html
    for legend in ("By its address", "As a file", "By pasting its JSON"):
        assert f"<legend><h2>{legend}</h2></legend>" in html
    for field in ("verify-url", "verify-file", "verify-paste"):
        assert f'<label for="{field}">' in html
    assert "csrftoken" not in response.cookies  # anonymous pages stay free of the CSRF cookie
    assert "Result" not in text(response)


def test_the_bare_page_may_be_indexed(client: Client, db: None) -> None:
    """noindex only when the page shows a particular credential's result."""
    assert 'name="robots"' not in client.get(PAGE).content.decode()


# Verifying ---------------------------------------------------------------------------------------------


def test_a_link_with_the_credentials_address_verifies_it_on_arrival(credential: Credential, client: Client) -> None:
    address = f"{SITE}/credentials/{credential.public_id}.json"
    response = client.get(PAGE, {"url": address})
    assert response.status_code == 200
    assert verdict(response) == "✔ Verified"
    words = text(response)
    assert "✔ Passed Signature: The signature is valid: nothing has changed since the issuer signed it." in words
    assert "✔ Passed Status: The issuer's records say it has not been revoked or suspended." in words
    assert f"Learner {credential.learner.full_name}" in words
    assert f"Achievement {credential.attainment.achievement.name}" in words  # type: ignore[union-attr]
    assert "Issuer Test Awarding Body" in words
    assert f'value="{address}"' in response.content.decode()  # the form keeps what was asked
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_credential_pages_verify_link_verifies_it(credential: Credential, client: Client) -> None:
    page = client.get(f"/credentials/{credential.public_id}").content.decode()
    link = re.search(r'<a href="([^"]+)">Verify this credential</a>', page)
    assert link, "the credential page links to the verify page"
    response = client.get(unescape(link[1]).removeprefix(SITE))
    assert verdict(response) == "✔ Verified"


def test_htmx_gets_the_result_alone(credential: Credential, client: Client) -> None:
    response = paste(client, credential.issued_json, HX_Request="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Verified" in html
    assert "HX-Request" in response["Vary"]


def test_pasted_json_verifies(credential: Credential, client: Client) -> None:
    response = paste(client, credential.issued_json)
    assert verdict(response) == "✔ Verified"
    assert "Dates: Valid from" in text(response)


def test_a_changed_name_fails_on_its_signature_in_plain_words(credential: Credential, client: Client) -> None:
    response = paste(client, tampered(credential))
    assert verdict(response).startswith("✘ Not verified: the signature does not match")
    words = text(response)
    assert "✘ Failed Signature: The signature does not match" in words
    assert "\N{EN DASH} Not checked Issuer: Without a valid signature" in words
    assert "only a credential that verifies vouches for them" in words


def test_a_revoked_credential_says_revoked(credential: Credential, ratifier: User, client: Client) -> None:
    services.revoke(credential, actor=ratifier, reason="Issued in error")
    response = client.get(PAGE, {"url": f"{SITE}/credentials/{credential.public_id}"})
    assert verdict(response) == "✘ Revoked: the issuer has withdrawn this credential."
    assert "✘ Failed Status: The issuer's records say it has been revoked." in text(response)


def test_a_suspended_credential_says_suspended(credential: Credential, ratifier: User, client: Client) -> None:
    services.suspend(credential, actor=ratifier, reason="Under investigation")
    response = paste(client, credential.issued_json)
    assert verdict(response).startswith("✘ Suspended: the issuer has put this credential on hold")


def test_an_expired_credential_says_when_it_expired(
    award_attainments: list[Attainment], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    achievement = award_attainments[0].achievement
    achievement.valid_for_days = 30
    achievement.save()
    long_ago = timezone.now() - timedelta(days=400)
    with monkeypatch.context() as frozen:
        frozen.setattr(timezone, "now", lambda: long_ago)
        credential = issuance.issue_credential(award_attainments[0])
    expired_on = credential.valid_until
    assert expired_on is not None
    response = paste(client, credential.issued_json)
    assert verdict(response) == f"✘ Not verified: it expired on {expired_on.day} {expired_on:%B %Y}."
    assert "✘ Failed Dates: It expired on" in text(response)


def test_a_transcript_shows_each_credential_it_bundles(
    issuer: Issuer, award_attainments: list[Attainment], learner: User, client: Client
) -> None:
    issuance.issue_pending(issuer)
    transcript = issuance.issue_transcript(learner, issuer)
    response = client.get(PAGE, {"url": f"{SITE}/credentials/{transcript.public_id}"})
    assert verdict(response) == "✔ Verified"
    words = text(response)
    assert "Kind Transcript (a bundle of credentials)" in words
    assert "The 4 credentials it bundles" in words
    assert "\N{EN DASH} Does not apply Format: There is no published layout for transcripts" in words
    assert response.content.decode().count('class="status-word"') == 5
    for attainment in award_attainments:
        assert attainment.achievement.name in words


@pytest.mark.parametrize("kind", ["png", "svg", "json"])
def test_an_uploaded_file_verifies_whether_json_or_a_baked_badge(
    credential: Credential, client: Client, kind: str
) -> None:
    content, name = {
        "png": (baking.bake_png(png(), credential.issued_json), "badge.png"),
        "svg": (baking.bake_svg(SVG, credential.issued_json).encode(), "badge.svg"),
        "json": (credential.issued_json.encode(), "credential.json"),
    }[kind]
    response = upload(client, content, name)
    assert verdict(response) == "✔ Verified"


def test_the_page_needs_no_csrf_token(credential: Credential) -> None:
    client = Client(enforce_csrf_checks=True)
    assert verdict(paste(client, credential.issued_json)) == "✔ Verified"


# Who may verify a private credential by its address -----------------------------------------------


@pytest.fixture
def private_address(credential: Credential) -> str:
    credential.is_public = False
    credential.save()
    return f"{SITE}/credentials/{credential.public_id}"


@pytest.mark.parametrize("who", ["learner", "ratifier"])
def test_a_private_credential_verifies_by_address_for_its_learner_and_issuer_staff(
    private_address: str, client_for: Callable[[User | None], Client], who: str, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(who)).get(PAGE, {"url": private_address})
    assert verdict(response) == "✔ Verified"


@pytest.mark.parametrize("who", [None, "outsider", "centre_admin"])
def test_a_private_credential_is_not_found_by_address_for_anyone_else(
    private_address: str, client_for: Callable[[User | None], Client], who: str | None, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who) if who else None)
    response = client.get(PAGE, {"url": private_address})
    assert "There is no credential at this address, or its learner has not made it public." in text(response)
    assert "status-word" not in response.content.decode()


# Input that is refused, and why -----------------------------------------------------------------------


def refusal(response: Any) -> str:
    assert response.status_code == 200
    match = re.search(r'<div class="error-summary" role="alert".*?<li>(.*?)</li>', response.content.decode(), re.S)
    assert match, "no refusal on the page"
    return words(match[1])


def test_another_sites_address_is_refused_and_never_fetched(
    client: Client, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    response = client.get(PAGE, {"url": "https://example.org/x.json"})
    assert refusal(response).startswith("credo checks only its own credentials by address")
    assert 'href="#verify-url"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert attempts == []


def deep(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


@pytest.mark.parametrize(
    ("pasted", "problem"),
    [
        ("", "Paste the credential's JSON into the box."),
        ("not JSON", "This is not JSON"),
        ("[1, 2, 3]", "A credential is a JSON object ({…}); this is a list."),
        ('"a string"', "A credential is a JSON object ({…}); this is a single value."),
        (deep(40), "The credential is nested too deeply"),
        ("[" * 50_000 + "]" * 50_000, "The credential is nested too deeply"),
        (json.dumps({"x": "y" * 1_100_000}), "The credential is too large"),
        (json.dumps({"x": "y" * 3_000_000}), "The credential is too large"),
        (json.dumps({"type": ["VerifiableCredential"] * 1_000}), "The credential gives one of its objects more than"),
    ],
    ids=[
        "empty",
        "not-json",
        "array",
        "string",
        "nested",
        "nested-beyond-recursion",
        "oversize",
        "beyond-post",
        "values",
    ],
)
def test_pasted_input_that_is_no_credential_is_refused_saying_why(
    client: Client, db: None, pasted: str, problem: str
) -> None:
    assert refusal(paste(client, pasted)).startswith(problem)


def test_a_blank_node_bomb_is_not_canonicalized(credential: Credential, client: Client) -> None:
    bomb = json.loads(credential.issued_json)
    alignment = bomb["credentialSubject"]["achievement"]["alignment"][0]
    bomb["credentialSubject"]["achievement"]["alignment"] = [dict(alignment) for _ in range(20)]
    response = paste(client, json.dumps(bomb))
    assert verdict(response).startswith("✘ Not verified: the signature could not be checked, so nothing")
    assert "the document has 20" in technical_details(response), "the reason is kept behind the toggle"
    assert "indistinguishable blank nodes" in text(response)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "Choose a file to upload"),
        (b"plain text", "This is not JSON"),
        (b"[]", "A credential is a JSON object"),
        (png(), "This PNG image carries no credential"),
        (SVG.encode(), "This SVG image carries no credential"),
        (b"x" * (6 * 1024 * 1024), "The file is too large: credo checks files up to 5 MB"),
    ],
    ids=["none", "not-json", "array", "png-without-credential", "svg-without-credential", "oversize"],
)
def test_an_uploaded_file_that_is_no_credential_is_refused_saying_why(
    client: Client, db: None, content: bytes | None, problem: str
) -> None:
    response = client.post(PAGE, {"way": "file"}) if content is None else upload(client, content)
    assert refusal(response).startswith(problem)
    assert 'href="#verify-file"' in response.content.decode()


def test_each_client_may_verify_thirty_times_a_minute(credential: Credential, client: Client) -> None:
    for _ in range(30):
        assert verdict(paste(client, credential.issued_json)) == "✔ Verified"
    refused = paste(client, credential.issued_json)
    assert refused.status_code == 429
    assert "wait a minute and try again" in text(refused)
    assert paste(client, credential.issued_json, HX_Request="true").status_code == 200  # htmx swaps only 2xx


def test_only_get_and_post_are_answered(client: Client, db: None) -> None:
    assert client.put(PAGE).status_code == 405


# Where the result appears, and the words it uses ------------------------------------------------------


def test_the_result_comes_first_and_takes_focus(credential: Credential, client: Client) -> None:
    page = paste(client, credential.issued_json).content.decode()
    result = page.index('<section class="verify-result"')
    assert result < page.index('<form id="by-address"'), "the report is above the forms"
    assert result < page.index("<p>Check that an Open Badge"), "and above the introduction"
    assert 'tabindex="-1" autofocus data-result-first' in page[result : result + 200]
    assert "<title>Result: Verify a credential · credo</title>" in page


def test_a_refusal_comes_first_with_error_in_the_title_and_a_link_to_its_field(client: Client, db: None) -> None:
    page = paste(client, "not JSON").content.decode()
    summary = page.index('<div class="error-summary"')
    assert summary < page.index('<form id="by-address"')
    assert 'role="alert" tabindex="-1" autofocus' in page[summary : summary + 100]
    assert "<title>Error: Verify a credential · credo</title>" in page
    assert '<a href="#verify-paste">This is not JSON' in page
    assert ">not JSON</textarea>" in page, "the pasted text is kept, to be corrected"


def test_htmx_gets_the_title_with_the_result(credential: Credential, client: Client) -> None:
    refused = paste(client, "not JSON", HX_Request="true").content.decode()
    assert "<title>Error: Verify a credential · credo</title>" in refused
    verified = paste(client, credential.issued_json, HX_Request="true").content.decode()
    assert "<title>Result: Verify a credential · credo</title>" in verified
    assert "data-result-first" in verified


def test_the_checks_read_in_plain_words_with_the_technical_detail_behind_a_toggle(
    credential: Credential, client: Client
) -> None:
    response = paste(client, credential.issued_json)
    shown = shown_result(response)
    assert "Passed Format: It is laid out as the Open Badges 3.0 standard sets out" in shown
    assert "VC Data Model" not in shown
    assert "credentialStatus" not in shown
    assert "<summary>Technical details</summary>" in response.content.decode()
    details = technical_details(response)
    assert "as VC Data Model 2.0 allows, with credentialStatus as a list" in details
    assert credential.issuer.did in details
    assert f"urn:uuid:{credential.public_id}" in details


def test_unreadable_dates_are_explained_not_quoted(credential: Credential, client: Client) -> None:
    document = json.loads(credential.issued_json)
    del document["validFrom"]
    response = paste(client, json.dumps(document))
    shown = shown_result(response)
    assert "Its dates cannot be read, so credo cannot tell whether it is in date." in shown
    assert "must look like" not in shown
    assert "None" not in shown
    assert "validFrom must look like 2024-03-27T00:00:00Z" in technical_details(response)
