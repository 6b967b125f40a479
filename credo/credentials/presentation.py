"""Credentials for people: status in plain words, QR codes, badge images, PDF certificates, LinkedIn links.

Everything here renders; nothing changes state. Text is drawn with DejaVu Sans
(committed in ``fonts/``, so every machine renders the same) because it has the
macrons of te reo Māori and most Latin, Greek and Cyrillic text.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape, quoteattr

import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from credo.credentials.models import Achievement, AchievementKind, Credential, CredentialState
from credo.credentials.services.achievements import OFQUAL_QN, OFQUAL_URN

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"
SVG_FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"

# Badge fills, each with white text at a contrast ratio of at least 4.5:1 (WCAG 2.2 AA for any text size).
WHITE = "#ffffff"
BADGE_COLOURS = {
    AchievementKind.QUALIFICATION: "#0b5cad",
    AchievementKind.UNIT: "#14632e",
    AchievementKind.MICRO_CREDENTIAL: "#6b2c91",
}
TRANSCRIPT_COLOUR = "#1b1f23"
CODE_TYPE_LABELS = {OFQUAL_QN: "Qualification number (Ofqual)", OFQUAL_URN: "Unit reference number (Ofqual)"}
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
# fpdf2 subsets fonts with fontTools, which logs every step of it at INFO: noise in the server's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Status

StatusKind = Literal["active", "suspended", "revoked", "expired", "replaced"]


@dataclass(frozen=True)
class Status:
    """Where a credential stands, in words for the page, the PDF and the learner's list."""

    kind: StatusKind
    headline: str
    reason: str = ""
    since: datetime | None = None

    @property
    def is_good(self) -> bool:
        return self.kind == "active"


def status_of(credential: Credential, now: datetime) -> Status:
    """Replaced before revoked (a re-issue revokes the old one), revoked before suspended, then expiry."""
    if credential.replaced_by_id:
        return Status("replaced", "Replaced by a newer credential", credential.state_reason, credential.superseded_at)
    if credential.state == CredentialState.REVOKED:
        return Status("revoked", "Revoked by the issuer", credential.state_reason, credential.state_changed_at)
    if credential.state == CredentialState.SUSPENDED:
        return Status("suspended", "Suspended by the issuer", credential.state_reason, credential.state_changed_at)
    if credential.valid_until and credential.valid_until <= now:
        return Status("expired", "Expired", since=credential.valid_until)
    return Status("active", "Active")


# What the issued JSON says


@dataclass(frozen=True)
class Evidence:
    name: str
    url: str
    description: str
    narrative: str
    genre: str


@dataclass(frozen=True)
class Bundled:
    """An achievement a transcript (CLR) bundles, as its embedded credential states it."""

    name: str
    code: str
    url: str
    awarded: date | None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _web_url(value: Any) -> str:
    """Only http(s) addresses become links: a credential is data, never a way to inject a javascript: URL."""
    text = _text(value)
    return text if text.startswith(("https://", "http://")) else ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None


def subject_name(document: dict[str, Any]) -> str:
    """The learner's name as the credential states it (an unhashed ``name`` identity)."""
    subject = document.get("credentialSubject")
    identities = subject.get("identifier") if isinstance(subject, dict) else None
    for identity in identities if isinstance(identities, list) else []:
        if isinstance(identity, dict) and identity.get("identityType") == "name" and not identity.get("hashed"):
            return _text(identity.get("identityHash"))
    return ""


def evidence_of(document: dict[str, Any]) -> list[Evidence]:
    """The OB 3.0 ``evidence`` entries the learner chose to include in the credential."""
    entries = document.get("evidence")
    return [
        Evidence(
            name=_text(entry.get("name")),
            url=_web_url(entry.get("id")),
            description=_text(entry.get("description")),
            narrative=_text(entry.get("narrative")),
            genre=_text(entry.get("genre")),
        )
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]


def bundled_achievements(document: dict[str, Any]) -> list[Bundled]:
    subject = document.get("credentialSubject")
    embedded = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    bundled = []
    for credential in embedded if isinstance(embedded, list) else []:
        inner = credential.get("credentialSubject") if isinstance(credential, dict) else None
        achievement = inner.get("achievement") if isinstance(inner, dict) else None
        if isinstance(achievement, dict):
            bundled.append(
                Bundled(
                    name=_text(achievement.get("name")),
                    code=_text(achievement.get("humanCode")),
                    url=_web_url(achievement.get("id")),
                    awarded=_date(credential.get("awardedDate")),
                )
            )
    return bundled


def code_label(code_type: str) -> str:
    """What kind of code an achievement's code is, for people (the OB 3.0 identifierType is for machines)."""
    return CODE_TYPE_LABELS.get(code_type, "Code")


def level_text(achievement: Achievement) -> str:
    return f"{achievement.framework_code} {achievement.level_name}".strip() if achievement.level_name else ""


def achievement_details(achievement: Achievement) -> list[str]:
    """One line each for the level, the code and the credits, as a certificate prints them."""
    details = []
    if achievement.level_name:
        framework = f" ({achievement.framework_name})" if achievement.framework_name else ""
        details.append(f"{level_text(achievement)}{framework}")
    if achievement.code:
        details.append(f"{code_label(achievement.code_type)}: {achievement.code}")
    if achievement.credits:
        details.append(f"{achievement.credits} credits")
    return details


# Links


def verify_url(site: str, credential_json_url: str) -> str:
    """The verify page, asked to check the credential at ``credential_json_url``."""
    return f"{site}/verify?url={quote(credential_json_url, safe='')}"


def linkedin_add_url(
    *, name: str, organisation: str, issued: date, cert_url: str, cert_id: str, expires: date | None = None
) -> str:
    """LinkedIn's "Add license or certification" form, filled in (every value percent-encoded)."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
    }
    if expires:
        params |= {"expirationYear": str(expires.year), "expirationMonth": str(expires.month)}
    params |= {"certUrl": cert_url, "certId": cert_id}
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params, quote_via=quote)}"


# QR codes


def qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url``, dark on white (scannable on any page background), scaled by CSS."""
    return str(segno.make(url, error="m").svg_inline(scale=4, border=4, light=WHITE, omitsize=True, svgclass="qr"))


def _qr_rows(url: str) -> list[list[bool]]:
    return [[bool(module) for module in row] for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]


# Badge images

BADGE_SIZE = 400  # the SVG's user units; the PNG is drawn at PNG_SCALE times this


@dataclass(frozen=True)
class Badge:
    """What a badge image shows."""

    name: str
    kind_label: str
    level: str
    issuer: str
    colour: str

    @property
    def description(self) -> str:
        """Alternative text: everything the image says."""
        parts = [self.name, self.kind_label, self.level, f"issued by {self.issuer}"]
        return ", ".join(part for part in parts if part)


def badge_for_achievement(achievement: Achievement) -> Badge:
    return Badge(
        name=achievement.name,
        kind_label=achievement.get_kind_display(),
        level=level_text(achievement),
        issuer=achievement.issuer.name,
        colour=BADGE_COLOURS.get(AchievementKind(achievement.kind), TRANSCRIPT_COLOUR),
    )


def badge_for_transcript(issuer_name: str) -> Badge:
    return Badge("Comprehensive Learner Record", "Transcript", level="", issuer=issuer_name, colour=TRANSCRIPT_COLOUR)


@dataclass(frozen=True)
class _Line:
    text: str
    y: float  # baseline, in badge units
    size: float
    bold: bool
    width: float  # as drawn in DejaVu Sans; SVG pins its length so other fonts cannot overflow the circle


@functools.cache
def _font(bold: bool, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD_FONT if bold else REGULAR_FONT), size)


def _width(text: str, size: float, bold: bool) -> float:
    # Measured at 10x and scaled down: FreeType's integer sizes would make small sizes coarse.
    return float(_font(bold, size * 10).getlength(text)) / 10


def _wrap(text: str, size: float, bold: bool, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap; a word too long for a line is broken; the last line ends in … when text is left over."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if _width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while _width(current, size, bold) > width:
            cut = len(current) - 1
            while cut > 1 and _width(current[:cut], size, bold) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _width(last + "…", size, bold) > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def _badge_layout(badge: Badge) -> list[_Line]:
    """Kind at the top, the name as large as fits (in at most five lines) in the middle, level and issuer below."""
    lines = [_Line(badge.kind_label.upper(), 104, 15, True, _width(badge.kind_label.upper(), 15, True))]
    for size, max_lines in ((34, 3), (30, 4), (26, 4), (22, 5), (19, 5), (16, 5)):
        name_lines = _wrap(badge.name, size, True, 270, max_lines)
        if not name_lines[-1].endswith("…"):
            break
    leading = size * 1.2
    first = 200 - (len(name_lines) - 1) * leading / 2 + size * 0.35
    lines += [_Line(t, first + i * leading, size, True, _width(t, size, True)) for i, t in enumerate(name_lines)]
    if badge.level:
        lines.append(_Line(badge.level, 296, 17, False, _width(badge.level, 17, False)))
    for i, text in enumerate(_wrap(badge.issuer, 13, False, 200, 2)):
        lines.append(_Line(text, 322 + i * 16, 13, False, _width(text, 13, False)))
    return lines


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def badge_svg(badge: Badge) -> str:
    """The badge as a standalone SVG document (``role="img"`` with a title, for screen readers)."""
    centre = BADGE_SIZE / 2
    texts = "".join(
        f'<text x="{centre:g}" y="{line.y:.1f}" font-size="{line.size:g}"'
        f' font-weight="{"bold" if line.bold else "normal"}" textLength="{line.width:.1f}"'
        f' lengthAdjust="spacingAndGlyphs">{_xml_text(line.text)}</text>'
        for line in _badge_layout(badge)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BADGE_SIZE} {BADGE_SIZE}" width="{BADGE_SIZE}" '
        f'height="{BADGE_SIZE}" role="img" aria-labelledby="title">'
        f'<title id="title">{_xml_text(badge.description)}</title>'
        f'<circle cx="{centre}" cy="{centre}" r="196" fill="{badge.colour}"/>'
        f'<circle cx="{centre}" cy="{centre}" r="180" fill="none" stroke="{WHITE}" stroke-width="3"/>'
        f'<g fill="{WHITE}" font-family={quoteattr(SVG_FONT_FAMILY)} text-anchor="middle">{texts}</g>'
        "</svg>\n"
    )


PNG_SIZE = 600
_DRAW_SCALE = 3  # drawn at 1200 px, then scaled down to 600 px: Pillow's shapes have no anti-aliasing


def badge_png(badge: Badge) -> bytes:
    """The badge as a PNG, drawn from the same layout as the SVG."""
    scale = PNG_SIZE / BADGE_SIZE * 2
    side = PNG_SIZE * 2
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = side / 2

    def disc(radius: float, **style: Any) -> None:
        r = radius * scale
        draw.ellipse((centre - r, centre - r, centre + r, centre + r), **style)

    disc(196, fill=badge.colour)
    disc(180, outline=WHITE, width=round(3 * scale))
    for line in _badge_layout(badge):
        font = _font(line.bold, round(line.size * scale))
        draw.text((centre, line.y * scale), line.text, fill=WHITE, font=font, anchor="ms")
    out = io.BytesIO()
    # 64 colours (with alpha) look the same as millions for flat shapes and text, at a fifth of the bytes.
    badge_image = image.resize((PNG_SIZE, PNG_SIZE), Image.Resampling.LANCZOS)
    badge_image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()


# PDF certificate


@dataclass(frozen=True)
class Certificate:
    """What a PDF certificate prints."""

    learner: str
    title: str
    issuer: str
    issued: date
    page_url: str
    verify_url: str
    details: Sequence[str] = ()  # level, code, credits; or the achievements a transcript bundles
    awarded: date | None = None
    valid_until: date | None = None
    status_note: str = ""  # empty while the credential is active
    colour: str = TRANSCRIPT_COLOUR
    badge: bytes | None = field(default=None, repr=False)  # a PNG


MAX_DETAILS = 5  # more would run into the QR code; the page lists them all


def format_day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, side: float) -> None:
    """The QR code as vector squares (crisp at any print size), one rectangle per run of dark modules."""
    rows = _qr_rows(url)
    module = side / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            pdf.rect(x + c * module, y + r * module, (run - c) * module, module, style="F")
            c = run


def certificate_pdf(certificate: Certificate, *, compress: bool = True) -> bytes:
    """An A4 landscape certificate: learner, achievement, issuer, dates, status, QR code and verification URLs."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(f"{certificate.title}: {certificate.learner}")
    pdf.set_author(certificate.issuer)
    pdf.set_creator("credo")
    pdf.set_lang("en")
    pdf.add_font("DejaVu", "", str(REGULAR_FONT))
    pdf.add_font("DejaVu", "B", str(BOLD_FONT))
    pdf.add_page()
    pdf.set_draw_color(*_rgb(certificate.colour))
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(27, 31, 35)

    def centred(text: str, size: float, *, bold: bool = False, gap: float = 2) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_x(25)
        pdf.multi_cell(247, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(22)
    centred(certificate.issuer, 15, bold=True, gap=6)
    centred("This certifies that", 13)
    centred(certificate.learner, 26, bold=True, gap=4)
    centred("has achieved", 13)
    centred(certificate.title, 20, bold=True, gap=3)
    shown = list(certificate.details[:MAX_DETAILS])
    if len(certificate.details) > MAX_DETAILS:
        shown.append(f"and {len(certificate.details) - MAX_DETAILS} more: see the credential's page")
    for detail in shown:
        centred(detail, 11, gap=0.5)
    dates = [f"Awarded {format_day(certificate.awarded)}"] if certificate.awarded else []
    dates.append(f"Issued {format_day(certificate.issued)}")
    if certificate.valid_until:
        dates.append(f"Valid until {format_day(certificate.valid_until)}")
    pdf.ln(3)
    centred(" · ".join(dates), 11)
    if certificate.status_note:
        pdf.set_text_color(164, 22, 26)
        centred(certificate.status_note, 12, bold=True)
        pdf.set_text_color(27, 31, 35)

    if certificate.badge:
        pdf.image(io.BytesIO(certificate.badge), x=20, y=150, w=40, h=40)
    _draw_qr(pdf, certificate.page_url, 247, 150, 30)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(238, 181)
    pdf.cell(48, 4, "Scan to check it", align="C")
    left = 65 if certificate.badge else 20
    for y, label, url in (
        (158, "See this credential:", certificate.page_url),
        (170, "Verify it:", certificate.verify_url),
    ):
        pdf.set_xy(left, y)
        pdf.set_font("DejaVu", "B", 8)
        pdf.cell(170, 4, label, new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(235 - left, 4, url, link=url, align="L")
    return bytes(pdf.output())
