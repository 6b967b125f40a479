"""Rendering for people: status words, LinkedIn links, QR codes, badge images and PDF certificates."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from credo.credentials import presentation
from credo.credentials.models import Credential, CredentialState

NOW = datetime(2025, 7, 1, 12, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def _xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - credo's own output in a test, not untrusted input


# Status


def _credential(**fields: object) -> Credential:
    return Credential(**{"state": CredentialState.ACTIVE, **fields})


@pytest.mark.parametrize(
    ("fields", "kind", "reason"),
    [
        ({}, "active", ""),
        ({"valid_until": NOW + timedelta(days=1)}, "active", ""),
        ({"valid_until": NOW}, "expired", ""),
        ({"state": CredentialState.SUSPENDED, "state_reason": "Under review"}, "suspended", "Under review"),
        ({"state": CredentialState.REVOKED, "state_reason": "Issued in error"}, "revoked", "Issued in error"),
        (
            {"state": CredentialState.REVOKED, "state_reason": "Name corrected", "replaced_by_id": 7},
            "replaced",
            "Name corrected",
        ),
        ({"state": CredentialState.SUSPENDED, "valid_until": NOW - timedelta(days=1)}, "suspended", ""),
    ],
    ids=["active", "active until tomorrow", "expired", "suspended", "revoked", "replaced", "suspended and expired"],
)
def test_the_status_is_said_in_words(fields: dict[str, object], kind: str, reason: str) -> None:
    status = presentation.status_of(_credential(**fields), NOW)
    assert status.kind == kind
    assert status.reason == reason
    assert status.is_good == (kind == "active")
    assert status.headline


# What the issued JSON says


def test_the_learners_name_is_the_unhashed_name_identity() -> None:
    document = {
        "credentialSubject": {
            "identifier": [
                {"identityType": "emailAddress", "identityHash": "sha256$abc", "hashed": True},
                {"identityType": "name", "identityHash": "Aroha Ngāti", "hashed": False},
            ]
        }
    }
    assert presentation.subject_name(document) == "Aroha Ngāti"
    assert presentation.subject_name({"credentialSubject": "nonsense"}) == ""


def test_evidence_links_only_to_web_addresses() -> None:
    document = {
        "evidence": [
            {"id": "https://example.org/case-study", "name": "Case study", "narrative": "What I did"},
            {"id": "javascript:alert(1)", "name": "Sneaky"},
            "not an object",
        ]
    }
    evidence = presentation.evidence_of(document)
    assert [(e.name, e.url) for e in evidence] == [("Case study", "https://example.org/case-study"), ("Sneaky", "")]
    assert evidence[0].narrative == "What I did"


def test_a_transcripts_achievements_come_from_its_embedded_credentials() -> None:
    document = {
        "credentialSubject": {
            "verifiableCredential": [
                {
                    "awardedDate": "2025-06-30T12:00:00Z",
                    "credentialSubject": {
                        "achievement": {"id": "https://x.example/a/1", "name": "Unit one", "humanCode": "Y/615/8308"}
                    },
                },
                {"awardedDate": "not a date", "credentialSubject": {"achievement": {"name": "Unit two"}}},
            ]
        }
    }
    bundled = presentation.bundled_achievements(document)
    assert bundled == [
        presentation.Bundled("Unit one", "Y/615/8308", "https://x.example/a/1", date(2025, 6, 30)),
        presentation.Bundled("Unit two", "", "", None),
    ]


# Links


def test_the_linkedin_link_encodes_macrons_and_ampersands() -> None:
    url = presentation.linkedin_add_url(
        name="Te Reo Māori & Tikanga: Level 3",
        organisation="Ngā Tāngata & Co",
        issued=date(2025, 6, 30),
        cert_url="https://credo.example/credentials/abc?x=1&y=2",
        cert_id="abc",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Te Reo Māori & Tikanga: Level 3"],
        "organizationName": ["Ngā Tāngata & Co"],
        "issueYear": ["2025"],
        "issueMonth": ["6"],
        "certUrl": ["https://credo.example/credentials/abc?x=1&y=2"],
        "certId": ["abc"],
    }
    assert "name=Te%20Reo%20M%C4%81ori%20%26%20Tikanga%3A%20Level%203&" in url
    assert parts.query.count("&") == 6  # every & in a value is encoded


def test_the_linkedin_link_carries_an_expiry_when_there_is_one() -> None:
    url = presentation.linkedin_add_url(
        name="A",
        organisation="B",
        issued=date(2025, 6, 30),
        cert_url="https://x",
        cert_id="1",
        expires=date(2028, 1, 9),
    )
    query = parse_qs(urlsplit(url).query)
    assert query["expirationYear"] == ["2028"]
    assert query["expirationMonth"] == ["1"]
    assert "expirationDay" not in query


def test_the_verify_link_carries_the_credentials_address_encoded() -> None:
    url = presentation.verify_url("https://credo.example", "https://credo.example/credentials/abc.json")
    assert url == "https://credo.example/verify?url=https%3A%2F%2Fcredo.example%2Fcredentials%2Fabc.json"


def test_the_qr_code_is_dark_on_white_svg() -> None:
    svg = presentation.qr_svg("https://credo.example/credentials/abc")
    root = _xml(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    assert root.get("viewBox")
    assert any(path.get("class") == "qrline" for path in root.iter(f"{SVG}path"))
    assert 'fill="#fff"' in svg or 'fill="#ffffff"' in svg


# Badge images


@pytest.mark.parametrize("colour", [*presentation.BADGE_COLOURS.values(), presentation.TRANSCRIPT_COLOUR])
def test_badge_text_meets_wcag_aa_contrast(colour: str) -> None:
    assert presentation.contrast_ratio(presentation.WHITE, colour) >= 4.5


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert presentation.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert presentation.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


BADGE = presentation.Badge(
    name="Facilitating Community-Led Development — Te Whānau-ā-Apanui",
    kind_label="Micro-credential",
    level="NZQF Level 5",
    issuer="Otago Polytechnic Te Pūkenga",
    colour=presentation.BADGE_COLOURS["micro_credential"],
)


def test_the_svg_badge_is_well_formed_and_says_everything_in_its_title() -> None:
    root = _xml(presentation.badge_svg(BADGE))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == (
        "Facilitating Community-Led Development — Te Whānau-ā-Apanui, Micro-credential, NZQF Level 5, "
        "issued by Otago Polytechnic Te Pūkenga"
    )
    drawn = " ".join(text.text or "" for text in root.iter(f"{SVG}text"))
    assert "MICRO-CREDENTIAL" in drawn
    assert "Whānau-ā-Apanui" in drawn
    assert "Te Pūkenga" in drawn


def test_markup_and_control_characters_in_a_name_cannot_break_the_svg() -> None:
    badge = presentation.Badge('<script>alert("x")</script> & \x07bell\x00', "Unit", "", "A & B", "#14632e")
    svg = presentation.badge_svg(badge)
    root = _xml(svg)
    assert root.find(f"{SVG}script") is None
    assert "<script>" not in svg
    drawn = "".join(text.text or "" for text in root.iter(f"{SVG}text"))
    assert '<script>alert("x")</script>' in drawn.replace(" ", "")  # shown as text, as written


def test_every_line_of_a_badge_fits_inside_its_circle() -> None:
    long_name = "Supercalifragilisticexpialidocious " * 8
    for line in presentation._badge_layout(presentation.Badge(long_name, "Unit", "RQF Level 3", long_name, "#000000")):
        half_chord = (180**2 - (line.y - 200) ** 2) ** 0.5
        assert line.width <= 2 * half_chord, line


def test_a_name_too_long_for_the_badge_ends_in_an_ellipsis() -> None:
    lines = presentation._wrap("word " * 100, 20, True, 200, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(presentation._width(line, 20, True) <= 200 for line in lines)


def test_a_word_longer_than_a_line_is_broken() -> None:
    lines = presentation._wrap("x" * 80, 20, True, 200, 10)
    assert "".join(lines) == "x" * 80
    assert all(presentation._width(line, 20, True) <= 200 for line in lines)


def test_the_png_badge_is_a_round_badge_in_the_achievements_colour() -> None:
    image = Image.open(io.BytesIO(presentation.badge_png(BADGE))).convert("RGBA")
    assert image.size == (presentation.PNG_SIZE, presentation.PNG_SIZE)
    assert image.getpixel((0, 0))[3] == 0  # outside the circle: transparent
    red, green, blue, alpha = image.getpixel((presentation.PNG_SIZE // 2, 40))  # inside, above the text
    assert alpha >= 250
    expected = presentation._rgb(BADGE.colour)
    assert max(abs(red - expected[0]), abs(green - expected[1]), abs(blue - expected[2])) <= 8


# PDF certificate


def _pdf_text(pdf: bytes) -> str:
    """The text an uncompressed fpdf2 PDF shows, decoded through each font's ToUnicode map.

    Text operators hold 2-byte glyph codes in literal strings; what a code means depends on
    the font selected (``/F1 12 Tf``), whose ToUnicode CMap maps it back to Unicode.
    """
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\n(.*?)endobj", pdf, re.S)}
    fonts: dict[bytes, dict[bytes, str]] = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
        assert to_unicode is not None
        cmap = objects[int(to_unicode.group(1))]
        fonts[name] = {
            bytes.fromhex(code.decode()): bytes.fromhex(text.decode()).decode("utf-16-be")
            for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", cmap, re.S)
            for code, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", block)
        }
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    shown, font = [], fonts[next(iter(fonts))]
    for selected, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:[^\\)]|\\.)*)\) Tj", pdf, re.S):
        if selected:
            font = fonts[selected]
            continue
        raw = re.sub(rb"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), literal, flags=re.S)
        shown.append("".join(font.get(raw[i : i + 2], "?") for i in range(0, len(raw), 2)))
    return "".join(shown)


CERTIFICATE = presentation.Certificate(
    learner="Aroha Ngata-Whānau",
    title="Facilitating Community-Led Development",
    issuer="Otago Polytechnic Te Pūkenga",
    issued=date(2025, 7, 1),
    awarded=date(2025, 6, 30),
    valid_until=date(2028, 6, 30),
    page_url="https://credo.example/credentials/0d2b6c6e-5b1a-4d5e-9c1f-7a0b1c2d3e4f",
    verify_url="https://credo.example/verify?url=https%3A%2F%2Fcredo.example%2Fcredentials%2F0d2b6c6e.json",
    details=["NZQF Level 5 (New Zealand Qualifications Framework)"],
    badge=presentation.badge_png(BADGE),
)


def test_the_certificate_shows_who_what_when_and_where_to_verify_it() -> None:
    pdf = presentation.certificate_pdf(CERTIFICATE, compress=False)
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for expected in (
        "Aroha Ngata-Whānau",
        "Facilitating Community-Led Development",
        "Otago Polytechnic Te Pūkenga",
        "NZQF Level 5",
        "Awarded 30 June 2025",
        "Issued 1 July 2025",
        "Valid until 30 June 2028",
        CERTIFICATE.page_url,
        CERTIFICATE.verify_url,
    ):
        assert expected in text, expected
    assert "?" not in text.replace(CERTIFICATE.verify_url, "")  # every glyph decoded: the fonts have them all
    assert f"/URI ({CERTIFICATE.verify_url})".encode() in pdf


def test_a_certificate_of_a_credential_no_longer_good_says_so() -> None:
    revoked = presentation.Certificate(**{**CERTIFICATE.__dict__, "status_note": "Revoked on 2 July 2025: in error"})
    assert "Revoked on 2 July 2025: in error" in _pdf_text(presentation.certificate_pdf(revoked, compress=False))
    assert "Revoked" not in _pdf_text(presentation.certificate_pdf(CERTIFICATE, compress=False))


def test_a_transcript_certificate_lists_at_most_a_few_achievements_and_points_to_the_rest() -> None:
    transcript = presentation.Certificate(
        **{**CERTIFICATE.__dict__, "details": [f"Unit {n}" for n in range(1, 10)], "badge": None}
    )
    text = _pdf_text(presentation.certificate_pdf(transcript, compress=False))
    assert "Unit 5" in text
    assert "Unit 6" not in text
    assert "and 4 more: see the credential's page" in text
