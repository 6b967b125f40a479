"""Pages for people: a credential's page and downloads, the learner's list and sharing, achievement and issuer pages."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import links, services
from credo.credentials.models import Attainment, Credential, Issuer
from credo.credentials.ob3.baking import unbake_png, unbake_svg
from credo.credentials.services import issuance

from .test_interop import _issued_world, dcc_verify

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]
LEARNER_NAME = "Aroha Ngāti-Whānau"


def _xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - credo's own output in a test, not untrusted input


@pytest.fixture
def credential(award_attainments: list[Attainment], learner: User) -> Credential:
    learner.full_name = LEARNER_NAME
    learner.save()
    return issuance.issue_credential(award_attainments[0])


def page(credential: Credential, suffix: str = "") -> str:
    return f"/credentials/{credential.public_id}{suffix}"


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# The credential's page


def test_the_page_shows_the_learner_achievement_issuer_dates_and_ways_to_check_it(
    credential: Credential, client: Client
) -> None:
    response = client.get(page(credential))
    assert response.status_code == 200
    html = response.content.decode()
    achievement = credential.attainment.achievement  # type: ignore[union-attr]
    for expected in (
        LEARNER_NAME,
        achievement.name,
        achievement.description,
        "Achieve every learning outcome of unit",  # the criteria
        "RQF Level 3",
        "Unit reference number (Ofqual)",
        achievement.code,
        "Test Awarding Body",
        'href="/issuers/test-awards"',
        f'href="/achievements/{achievement.public_id}"',
        "30 June 2025",  # awarded
        "No expiry date",
        "Active",
        'class="qr"',
    ):
        assert expected in html, expected
    verify = "/verify?url=" + quote(links.credential_json(credential.public_id), safe="")
    assert verify in html
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name=Shared%20unit%201" in html
    for suffix in (".json", ".pdf", ".png", ".svg"):
        assert f'href="{page(credential, suffix)}"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "private" in response["Cache-Control"]


def test_a_suspended_credential_says_so_with_the_reason(credential: Credential, ratifier: User, client: Client) -> None:
    services.suspend(credential, actor=ratifier, reason="Under review by the awarding body")
    html = _text(client, page(credential))
    assert "Suspended by the issuer" in html
    assert "Under review by the awarding body" in html
    assert "linkedin.com" not in html  # not something to add to a profile while on hold


def test_a_revoked_credential_says_so_with_the_reason(credential: Credential, ratifier: User, client: Client) -> None:
    services.revoke(credential, actor=ratifier, reason="Issued in error")
    html = _text(client, page(credential))
    assert "Revoked by the issuer" in html
    assert "Issued in error" in html
    assert "linkedin.com" not in html


def test_an_expired_credential_says_so(credential: Credential, client: Client) -> None:
    Credential.objects.filter(pk=credential.pk).update(valid_until=timezone.now() - timedelta(days=1))
    html = _text(client, page(credential))
    assert "Expired" in html
    assert "Active" not in html
    assert "linkedin.com" not in html


def test_a_replaced_credential_links_to_the_one_replacing_it(
    credential: Credential, ratifier: User, client: Client
) -> None:
    newer = issuance.reissue(credential, actor=ratifier, reason="Name corrected")
    html = _text(client, page(credential))
    assert "Replaced by a newer credential" in html
    assert "Name corrected" in html
    assert f'href="{page(newer)}"' in html
    assert "Active" in _text(client, page(newer))


def test_a_qualification_shows_where_each_of_its_units_came_from(
    award_attainments: list[Attainment], catalogue: SmallCatalogue, learner: User, client: Client
) -> None:
    qualification = Attainment.objects.get(learner=learner, achievement__qualification=catalogue.award)
    transferred = award_attainments[1]
    Attainment.objects.filter(pk=transferred.pk).update(route="credit_transfer")
    text = _text(client, page(issuance.issue_credential(qualification)))
    assert "How it was earned" in text
    assert "Completed by the units attained" in text
    for unit in catalogue.shared_units:
        assert unit.code in text
    assert text.count("Assessed, moderated and ratified") == 2
    assert text.count("Credit transfer") == 1


def test_a_transcript_lists_the_achievements_it_bundles(
    award_attainments: list[Attainment], issuer: Issuer, learner: User, client: Client
) -> None:
    issuance.issue_pending(issuer)
    transcript = issuance.issue_transcript(learner, issuer)
    html = _text(client, page(transcript))
    assert "Achievements in this transcript" in html
    for name in ("Shared unit 1", "Shared unit 2", "Shared unit 3", "Test Level 3 Award"):
        assert name in html, name
    assert "Transcript (Comprehensive Learner Record)" in html
    pdf = client.get(page(transcript, ".pdf"))
    assert pdf.status_code == 200
    assert unbake_png(client.get(page(transcript, ".png")).content) == transcript.issued_json


def test_the_evidence_in_the_credential_is_shown_and_only_web_addresses_are_links(
    credential: Credential, client: Client
) -> None:
    document = json.loads(credential.issued_json)
    document["evidence"] = [
        {"id": "https://portfolio.example/case-study", "type": ["Evidence"], "name": "Case study", "genre": "Report"},
        {"id": "javascript:alert(1)", "type": ["Evidence"], "name": "Reflections", "narrative": "What I learnt"},
    ]
    Credential.objects.filter(pk=credential.pk).update(issued_json=json.dumps(document))
    html = _text(client, page(credential))
    assert '<a href="https://portfolio.example/case-study">Case study</a>' in html
    assert "Reflections" in html
    assert "What I learnt" in html
    assert "javascript:" not in html


# Downloads


def test_the_pdf_certificate_is_a_pdf_linking_to_the_verify_page(credential: Credential, client: Client) -> None:
    response = client.get(page(credential, ".pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{credential.public_id}.pdf"'
    assert response.content.startswith(b"%PDF-")
    verify = "/verify?url=" + quote(links.credential_json(credential.public_id), safe="")
    assert f"/URI ({links.site()}{verify})".encode() in response.content
    assert f"/URI ({links.credential_page(credential.public_id)})".encode() in response.content


def test_the_baked_png_holds_exactly_the_issued_credential_and_the_dcc_verifier_accepts_it(
    credential: Credential, issuer: Issuer, client: Client, tmp_path: Path
) -> None:
    response = client.get(page(credential, ".png"))
    assert response["Content-Type"] == "image/png"
    Image.open(io.BytesIO(response.content)).verify()
    unbaked = unbake_png(response.content)
    assert unbaked == credential.issued_json
    dids, status = _issued_world(issuer)
    verdict = dcc_verify(tmp_path, {"unbaked": unbaked}, dids=dids, status=status)["unbaked"]
    assert verdict["verified"], verdict


def test_the_baked_svg_holds_exactly_the_issued_credential(credential: Credential, client: Client) -> None:
    response = client.get(page(credential, ".svg"))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert unbake_svg(response.content) == credential.issued_json


# Private credentials and who may see them

SUFFIXES = ["", ".pdf", ".png", ".svg", ".json"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_private_credential_is_hidden_from_everyone_but_its_learner_and_issuer_staff(
    suffix: str,
    credential: Credential,
    client_for: ClientFor,
    learner: User,
    ratifier: User,
    catalogue_admin: User,
    outsider: User,
    external_qa: User,
    centre_admin: User,
) -> None:
    credential.is_public = False
    credential.save()
    url = page(credential, suffix)
    for nobody in (None, outsider, external_qa, centre_admin):
        assert client_for(nobody).get(url).status_code == 404, nobody
    for somebody in (learner, ratifier, catalogue_admin):
        assert client_for(somebody).get(url).status_code == 200, somebody


def test_an_unknown_credential_is_not_found(client: Client, db: None) -> None:
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize("suffix", ["", ".pdf", ".png", ".svg"])
def test_every_credential_response_asks_not_to_be_indexed(suffix: str, credential: Credential, client: Client) -> None:
    response = client.get(page(credential, suffix))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"


def test_the_learner_sees_the_sharing_control_and_issuer_staff_do_not(
    credential: Credential, client_for: ClientFor, learner: User, ratifier: User
) -> None:
    assert "Make private" in _text(client_for(learner), page(credential))
    staff_view = _text(client_for(ratifier), page(credential))
    assert "Make private" not in staff_view
    assert "Make public" not in staff_view


# My credentials and sharing


def test_my_credentials_lists_only_mine(
    credential: Credential, client_for: ClientFor, learner: User, outsider: User
) -> None:
    response = client_for(learner).get("/credentials/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    html = response.content.decode()
    assert page(credential) in html
    assert "Make private" in html
    other = _text(client_for(outsider), "/credentials/")
    assert page(credential) not in other
    assert "You hold no credentials yet" in other


def test_my_credentials_show_only_the_current_transcript(
    issuer: Issuer, award_attainments: list[Attainment], learner: User, client_for: ClientFor
) -> None:
    issuance.issue_pending(issuer)
    first = issuance.issue_transcript(learner, issuer)
    current = issuance.issue_transcript(learner, issuer)  # renewed, as each new credential renews it
    html = client_for(learner).get("/credentials/").content.decode()
    assert page(current) in html
    assert page(first) not in html
    assert html.count(f"Transcript from {issuer.name}") == 1


def test_my_credentials_come_a_page_at_a_time_at_a_fixed_query_count(
    issuer: Issuer,
    award_attainments: list[Attainment],
    learner: User,
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(learner)
    issuance.issue_credential(award_attainments[0])
    with django_assert_max_num_queries(12) as few:
        client.get("/credentials/")
    issuance.issue_pending(issuer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _text(client, "/credentials/")
    held = Credential.objects.filter(learner=learner, superseded_at__isnull=True).count()
    assert f"{held} credential" in html


def test_my_credentials_are_split_into_pages_that_keep_the_filter(
    award_attainments: list[Attainment], learner: User, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credo.credentials import views_pages

    monkeypatch.setattr(views_pages, "MY_CREDENTIALS_PAGE", 1)
    first, second = (issuance.issue_credential(attainment) for attainment in award_attainments[:2])
    html = _text(client_for(learner), "/credentials/")
    assert page(second) in html  # newest first
    assert page(first) not in html
    assert "Page 1 of 2" in html
    assert 'href="?page=2"' in html
    assert page(first) in _text(client_for(learner), "/credentials/?page=2")


def test_my_credentials_filter_by_an_issuer_only_among_my_own(
    credential: Credential, client_for: ClientFor, learner: User
) -> None:
    mine = _text(client_for(learner), f"/credentials/?issuer={credential.issuer.organisation.slug}")
    assert page(credential) in mine
    # Naming an issuer the learner holds nothing from shows their whole list, not an error or someone else's.
    assert page(credential) in _text(client_for(learner), "/credentials/?issuer=someone-else")


def test_my_credentials_needs_signing_in(client: Client, db: None) -> None:
    response = client.get("/credentials/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_the_learner_makes_a_credential_private_and_public_again(
    credential: Credential, client_for: ClientFor, learner: User
) -> None:
    client = client_for(learner)
    response = client.post(page(credential, "/sharing"), {"public": "no"})
    assert response.status_code == 302
    assert response["Location"] == "/credentials/"
    credential.refresh_from_db()
    assert not credential.is_public
    assert _events("credentials.made_private") == 1
    assert Client().get(page(credential)).status_code == 404

    response = client.post(page(credential, "/sharing"), {"public": "yes", "return_to": "page"})
    assert response["Location"] == page(credential)
    credential.refresh_from_db()
    assert credential.is_public
    assert Client().get(page(credential)).status_code == 200


def test_sharing_answers_htmx_with_the_new_control(
    credential: Credential, client_for: ClientFor, learner: User
) -> None:
    response = client_for(learner).post(page(credential, "/sharing"), {"public": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Private</strong>" in html
    assert "Make public" in html
    assert 'name="public" value="yes"' in html
    assert response["X-Robots-Tag"] == "noindex"


def test_asking_for_the_state_it_is_already_in_changes_and_records_nothing(
    credential: Credential, client_for: ClientFor, learner: User
) -> None:
    client_for(learner).post(page(credential, "/sharing"), {"public": "yes"})
    credential.refresh_from_db()
    assert credential.is_public
    assert _events("credentials.made_public") == 0


@pytest.mark.parametrize("data", [{}, {"public": "maybe"}, {"public": "no", "return_to": "https://evil.example"}])
def test_a_sharing_request_without_a_clear_answer_is_refused(
    data: dict[str, str], credential: Credential, client_for: ClientFor, learner: User
) -> None:
    response = client_for(learner).post(page(credential, "/sharing"), data)
    assert response.status_code == 400
    credential.refresh_from_db()
    assert credential.is_public


def test_only_the_learner_may_change_who_sees_a_credential(
    credential: Credential,
    client_for: ClientFor,
    ratifier: User,
    catalogue_admin: User,
    outsider: User,
    external_qa: User,
) -> None:
    url = page(credential, "/sharing")
    anonymous = Client().post(url, {"public": "no"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    for staff in (ratifier, catalogue_admin):
        assert client_for(staff).post(url, {"public": "no"}).status_code == 403
    for stranger in (outsider, external_qa):
        assert client_for(stranger).post(url, {"public": "no"}).status_code == 404
    credential.refresh_from_db()
    assert credential.is_public
    assert _events("credentials.made_private") == 0


def test_sharing_is_changed_only_by_post(credential: Credential, client_for: ClientFor, learner: User) -> None:
    assert client_for(learner).get(page(credential, "/sharing")).status_code == 405


# Achievement and issuer pages: the addresses signed credentials point to


def test_the_address_in_the_credential_answers_with_the_achievement_page(
    credential: Credential, client: Client
) -> None:
    achievement_json = json.loads(credential.issued_json)["credentialSubject"]["achievement"]
    path = achievement_json["id"].removeprefix(links.site())
    html = _text(client, path)
    achievement = credential.attainment.achievement  # type: ignore[union-attr]
    expected_parts = (
        achievement.name,
        'id="criteria"',
        'id="level"',
        "RQF Level 3",
        achievement.code,
        "Test Awarding Body",
    )
    for expected in expected_parts:
        assert expected in html, expected
    assert _text(client, achievement_json["criteria"]["id"].removeprefix(links.site()).split("#")[0]) == html


def test_the_image_in_the_credential_is_the_achievements_png_badge(credential: Credential, client: Client) -> None:
    image = json.loads(credential.issued_json)["credentialSubject"]["achievement"]["image"]
    assert image["type"] == "Image"
    response = client.get(image["id"].removeprefix(links.site()))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert Image.open(io.BytesIO(response.content)).size == (600, 600)


def test_the_svg_badge_names_the_achievement_for_screen_readers(credential: Credential, client: Client) -> None:
    achievement = credential.attainment.achievement  # type: ignore[union-attr]
    response = client.get(f"/achievements/{achievement.public_id}/badge.svg")
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    title = _xml(response.content).find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert title.text == "Shared unit 1, Unit, RQF Level 3, issued by Test Awarding Body"


@pytest.mark.parametrize("suffix", ["", "/badge.svg", "/badge.png"])
def test_an_unknown_achievement_is_not_found(suffix: str, client: Client, db: None) -> None:
    assert client.get(f"/achievements/00000000-0000-4000-8000-000000000000{suffix}").status_code == 404


def test_the_issuer_page_shows_its_profile_did_and_achievements(
    issuer: Issuer, catalogue: SmallCatalogue, client: Client
) -> None:
    achievement = services.achievement_for_qualification(catalogue.award)
    issuer.description = "An awarding organisation for community organising."
    issuer.save()
    html = _text(client, "/issuers/test-awards")
    for expected in (
        "Test Awarding Body",
        "An awarding organisation for community organising.",
        "mailto:certificates@awards.example",
        issuer.url,
        issuer.did,
        'href="/issuers/test-awards/did.json"',
        f'href="/achievements/{achievement.public_id}"',
    ):
        assert expected in html, expected


def test_an_unknown_issuer_has_no_page(client: Client, db: None) -> None:
    assert client.get("/issuers/nobody").status_code == 404
