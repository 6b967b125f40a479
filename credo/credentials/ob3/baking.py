"""Baked badges: a credential carried inside its image, as Open Badges 3.0 §5.3 specifies.

PNG: one ``iTXt`` chunk with the keyword ``openbadgecredential``, uncompressed,
holding the credential's JSON (its proof is embedded, so the JSON is the whole
credential). SVG: an ``<openbadges:credential>`` element, first inside the root
``<svg>``, holding the JSON in a CDATA section, with the namespace
``https://purl.imsglobal.org/ob/v3p0`` declared.

Reading is for untrusted uploads: sizes are bounded, SVG with a DOCTYPE (the
door to entity expansion) is refused, and every failure says what was wrong.
"""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib

from credo.credentials.ob3.errors import CredentialError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_MEGABYTES = MAX_IMAGE_BYTES // (1024 * 1024)
_UTF8_BOM = b"\xef\xbb\xbf"
_SVG_ELEMENT = "openbadges:credential"
# Characters XML 1.0 cannot carry at all, not even in CDATA (§2.2 Char).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class BakingError(CredentialError):
    """An image that is not a baked badge, or one that cannot be baked."""


def _require_json(credential_json: str) -> None:
    try:
        json.loads(credential_json)
    except ValueError as error:
        raise BakingError(f"Only a credential's JSON can be baked into a badge; this is not JSON: {error}.") from None


# PNG


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if len(png) > MAX_IMAGE_BYTES:
        raise BakingError(f"The image is larger than {_MEGABYTES} MB.")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("This is not a PNG image (its first bytes are not the PNG signature).")
    chunks = []
    at = len(PNG_SIGNATURE)
    while at < len(png):
        if at + 8 > len(png):
            raise BakingError("The PNG image is cut short: a chunk header is incomplete.")
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        end = at + 8 + length + 4
        if end > len(png):
            raise BakingError("The PNG image is cut short: a chunk runs past the end of the file.")
        data = png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if crc != zlib.crc32(kind + data) & 0xFFFFFFFF:
            raise BakingError(f"The PNG image is damaged: the {kind.decode('latin-1')!r} chunk's checksum is wrong.")
        chunks.append((kind, data))
        at = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BakingError("The PNG image is incomplete: it must start with IHDR and end with IEND.")
    return chunks


def _is_badge_chunk(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.split(b"\0", 1)[0] == PNG_KEYWORD


def bake_png(png: bytes, credential_json: str) -> bytes:
    """The PNG with the credential in an iTXt chunk (any earlier baked credential is replaced)."""
    _require_json(credential_json)
    chunks = [(kind, data) for kind, data in _png_chunks(png) if not _is_badge_chunk(kind, data)]
    try:
        text = credential_json.encode("utf-8")
    except UnicodeEncodeError:
        raise BakingError("The credential holds text that is not valid Unicode (a lone surrogate).") from None
    # keyword \0, compression flag 0, compression method 0, empty language tag \0, empty translated keyword \0
    badge = PNG_KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + text
    chunks.insert(len(chunks) - 1, (b"iTXt", badge))
    return PNG_SIGNATURE + b"".join(_chunk(kind, data) for kind, data in chunks)


def _itxt_text(data: bytes) -> bytes:
    """The text of an iTXt chunk (PNG §11.3.3.4): keyword, flag and method bytes, language, translated keyword."""
    malformed = BakingError("The PNG's openbadgecredential chunk is malformed.")
    _keyword, _, rest = data.partition(b"\0")
    if len(rest) < 2:
        raise malformed
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, found_language, rest = rest.partition(b"\0")
    _translated, found_translated, text = rest.partition(b"\0")
    if not (found_language and found_translated) or compressed not in (0, 1):
        raise malformed
    if not compressed:
        return text
    if method != 0:
        raise BakingError("The PNG's credential is compressed with an unknown method.")
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(text, MAX_IMAGE_BYTES)
    except zlib.error as error:
        raise BakingError(f"The PNG's compressed credential cannot be read: {error}.") from None
    if inflater.unconsumed_tail:
        raise BakingError(f"The PNG's compressed credential is larger than {_MEGABYTES} MB.")
    if not inflater.eof:
        raise BakingError("The PNG's compressed credential is cut short.")
    return inflated


def unbake_png(png: bytes) -> str:
    """The credential baked into a PNG."""
    found = [data for kind, data in _png_chunks(png) if _is_badge_chunk(kind, data)]
    if not found:
        raise BakingError("This PNG image carries no credential (no iTXt chunk named openbadgecredential).")
    if len(found) > 1:
        raise BakingError("This PNG image carries more than one credential; a baked badge holds exactly one.")
    try:
        return _itxt_text(found[0]).decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("The credential in the PNG image is not UTF-8 text.") from None


# SVG


def _root_start_tag(svg: str) -> tuple[int, int]:
    """Where the root ``<svg`` start tag begins and where its closing ``>`` is (quoted ``>`` skipped)."""
    match = re.search(r"<svg[\s/>]", svg)
    if match is None:
        raise BakingError("This is not an SVG image: it has no <svg> element.")
    at = match.start() + 4
    quote = ""
    while at < len(svg):
        character = svg[at]
        if quote:
            quote = "" if character == quote else quote
        elif character in "\"'":
            quote = character
        elif character == ">":
            return match.start(), at
        at += 1
    raise BakingError("This is not an SVG image: its <svg> start tag is never closed.")


def _without_baked_element(svg: str) -> str:
    """The SVG without an earlier ``<openbadges:credential>`` element (CDATA content may hold anything)."""
    start = svg.find(f"<{_SVG_ELEMENT}")
    if start < 0:
        return svg
    at = svg.find(">", start)
    if at < 0:
        raise BakingError("The SVG's earlier <openbadges:credential> element is never closed.")
    if svg[at - 1] == "/":
        return svg[:start] + svg[at + 1 :]
    at += 1
    closing = f"</{_SVG_ELEMENT}>"
    while at < len(svg):
        if svg.startswith("<![CDATA[", at):
            end = svg.find("]]>", at)
            if end < 0:
                break
            at = end + 3
        elif svg.startswith(closing, at):
            return svg[:start] + svg[at + len(closing) :]
        else:
            at += 1
    raise BakingError("The SVG's earlier <openbadges:credential> element is never closed.")


def _xml_safe(credential_json: str) -> str:
    """The JSON with characters XML cannot carry written as JSON escapes (the same JSON value).

    Such characters can only occur inside JSON strings, where ``\\uXXXX`` means the same.
    """
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", credential_json)


def bake_svg(svg: str, credential_json: str) -> str:
    """The SVG with the credential as its first child element, in a CDATA section.

    An earlier baked credential is replaced. ``]]>`` inside the JSON is split
    across two CDATA sections, which an XML reader joins back together.
    """
    _require_json(credential_json)
    svg = _without_baked_element(svg)
    start, close = _root_start_tag(svg)
    opening = svg[start:close]
    self_closing = opening.endswith("/")
    if self_closing:
        opening = opening[:-1].rstrip()
    if "xmlns:openbadges=" not in opening:
        opening += f' xmlns:openbadges="{OB_NAMESPACE}"'
    payload = _xml_safe(credential_json).replace("]]>", "]]]]><![CDATA[>")
    element = f"<{_SVG_ELEMENT}><![CDATA[{payload}]]></{_SVG_ELEMENT}>"
    rest = svg[close + 1 :]
    if self_closing:
        return f"{svg[:start]}{opening}>{element}</svg>{rest}"
    return f"{svg[:start]}{opening}>{element}{rest}"


def unbake_svg(svg: bytes) -> str:
    """The credential baked into an SVG (UTF-8, no DOCTYPE)."""
    if len(svg) > MAX_IMAGE_BYTES:
        raise BakingError(f"The image is larger than {_MEGABYTES} MB.")
    try:
        text = svg.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("The SVG image is not UTF-8 text; save it as UTF-8.") from None
    # Checked on the decoded text and parsed from it (pyexpat then reads it as UTF-8 whatever the
    # XML declaration claims), so no other encoding can smuggle a DOCTYPE past this check.
    if "<!doctype" in text.lower() or "<!entity" in text.lower():
        raise BakingError("SVG images with a DOCTYPE or entities are not accepted; remove the DOCTYPE.")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entities; external ones are never fetched
    except ET.ParseError as error:
        raise BakingError(f"The SVG image is not well-formed XML: {error}.") from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("This is not an SVG image: its root element is not <svg>.")
    found = root.findall(f"{{{OB_NAMESPACE}}}credential")
    if not found:
        raise BakingError(f"This SVG image carries no credential (no <openbadges:credential> in {OB_NAMESPACE}).")
    if len(found) > 1:
        raise BakingError("This SVG image carries more than one credential; a baked badge holds exactly one.")
    element = found[0]
    if element.get("verify"):
        raise BakingError("This SVG carries a JWT credential; credo verifies credentials with an embedded proof.")
    content = (element.text or "").strip()
    if not content:
        raise BakingError("The SVG's <openbadges:credential> element is empty.")
    return content


def unbake(image: bytes) -> str:
    """The credential in a baked PNG or SVG, whichever the bytes are."""
    if image.startswith(PNG_SIGNATURE):
        return unbake_png(image)
    if image.removeprefix(_UTF8_BOM).lstrip().startswith(b"<"):
        return unbake_svg(image)
    raise BakingError("This file is neither a PNG nor an SVG image.")
