"""Baked badges (OB 3.0 §5.3): a credential in a PNG iTXt chunk or an SVG element, and back out exactly.

Pillow, which reads and writes PNG text chunks by its own code, checks that
what credo bakes is a standard iTXt chunk and that credo reads chunks others bake.
"""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from PIL import Image, PngImagePlugin

from credo.credentials.ob3.baking import (
    MAX_IMAGE_BYTES,
    OB_NAMESPACE,
    PNG_SIGNATURE,
    SVG_NAMESPACE,
    BakingError,
    bake_png,
    bake_svg,
    unbake,
    unbake_png,
    unbake_svg,
)

CREDENTIAL = json.dumps(
    {
        "id": "urn:uuid:5f2c9b1e-8a3d-4c6e-9f10-2b7d4e6a8c01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Te Whānau-ā-Apanui — Ngāti Porou 🌱✨ 𠀋",
        "description": 'quotes " and \\ backslash, <tags> & ampersands',
    },
    ensure_ascii=False,
)
OTHER = json.dumps({"id": "urn:uuid:00000000-0000-4000-8000-000000000000", "name": "Another"})
SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'
)


def _xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - credo's own output in a test, not untrusted input


def _png(**info: str) -> bytes:
    out = io.BytesIO()
    metadata = PngImagePlugin.PngInfo()
    for key, value in info.items():
        metadata.add_itxt(key, value)
    Image.new("RGB", (4, 4), "#0b5cad").save(out, format="PNG", pnginfo=metadata)
    return out.getvalue()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunks.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# PNG


def test_a_baked_png_gives_back_exactly_the_credential() -> None:
    baked = bake_png(_png(), CREDENTIAL)
    assert unbake_png(baked) == CREDENTIAL
    assert unbake(baked) == CREDENTIAL


def test_the_credential_is_an_uncompressed_itxt_chunk_that_another_png_reader_finds() -> None:
    baked = bake_png(_png(), CREDENTIAL)
    itxt = [data for kind, data in _chunks(baked) if kind == b"iTXt"]
    assert len(itxt) == 1
    assert itxt[0].startswith(b"openbadgecredential\0\0\0\0\0")  # no compression, no language, no translation
    assert [kind for kind, _ in _chunks(baked)][-1] == b"IEND"
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.text["openbadgecredential"] == CREDENTIAL
    assert image.size == (4, 4)


@pytest.mark.parametrize("compressed", [False, True])
def test_it_reads_a_credential_another_program_baked(compressed: bool) -> None:
    out = io.BytesIO()
    metadata = PngImagePlugin.PngInfo()
    metadata.add_itxt("openbadgecredential", CREDENTIAL, zip=compressed)
    Image.new("RGB", (2, 2)).save(out, format="PNG", pnginfo=metadata)
    assert unbake_png(out.getvalue()) == CREDENTIAL


def test_baking_again_replaces_the_earlier_credential_and_keeps_other_text() -> None:
    once = bake_png(_png(Comment="made by credo"), OTHER)
    twice = bake_png(once, CREDENTIAL)
    assert unbake_png(twice) == CREDENTIAL
    keywords = [data.split(b"\0", 1)[0] for kind, data in _chunks(twice) if kind == b"iTXt"]
    assert sorted(keywords) == [b"Comment", b"openbadgecredential"]


def _with_chunk_before_iend(png: bytes, chunk: bytes) -> bytes:
    return png[:-12] + chunk + png[-12:]


def _damaged(png: bytes) -> bytes:
    baked = bytearray(bake_png(png, CREDENTIAL))
    baked[baked.index(b"Ng")] ^= 0x20  # one bit of the credential's text flipped: the chunk's CRC no longer matches
    return bytes(baked)


BAD_PNGS = {
    "empty": (lambda png: b"", "not a PNG"),
    "not a PNG at all": (lambda png: b"GIF89a" + png, "not a PNG"),
    "signature only": (lambda png: PNG_SIGNATURE, "incomplete"),
    "cut short in a chunk": (lambda png: png[:-20], "cut short"),
    "cut short in a header": (lambda png: png[: len(PNG_SIGNATURE) + 5], "cut short"),
    "damaged": (_damaged, "checksum is wrong"),
    "no IEND": (lambda png: png[:-12], "incomplete"),
    "too large": (lambda png: png + b"\0" * MAX_IMAGE_BYTES, "larger than 5 MB"),
    "no credential": (lambda png: png, "carries no credential"),
    "two credentials": (
        lambda png: _with_chunk_before_iend(
            bake_png(png, CREDENTIAL), _chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + OTHER.encode())
        ),
        "more than one credential",
    ),
    "malformed chunk": (
        lambda png: _with_chunk_before_iend(png, _chunk(b"iTXt", b"openbadgecredential\0\0")),
        "malformed",
    ),
    "not UTF-8": (
        lambda png: _with_chunk_before_iend(png, _chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0\xff\xfe")),
        "not UTF-8",
    ),
    "compressed past the limit": (
        lambda png: _with_chunk_before_iend(
            png,
            _chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0" + zlib.compress(b" " * (MAX_IMAGE_BYTES + 1), 9)),
        ),
        "larger than 5 MB",
    ),
    "compressed and cut short": (
        lambda png: _with_chunk_before_iend(
            png, _chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0" + zlib.compress(CREDENTIAL.encode())[:-8])
        ),
        "cut short",
    ),
    "compressed badly": (
        lambda png: _with_chunk_before_iend(png, _chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0not zlib")),
        "cannot be read",
    ),
}


@pytest.mark.parametrize("case", BAD_PNGS, ids=list(BAD_PNGS))
def test_a_bad_png_is_refused_with_a_reason(case: str) -> None:
    spoil, message = BAD_PNGS[case]
    with pytest.raises(BakingError, match=message):
        unbake_png(spoil(_png()))


def test_only_json_is_baked() -> None:
    with pytest.raises(BakingError, match="not JSON"):
        bake_png(_png(), "not a credential")
    with pytest.raises(BakingError, match="not JSON"):
        bake_svg(SVG, "{")


def test_a_damaged_png_cannot_be_baked_either() -> None:
    with pytest.raises(BakingError, match="cut short"):
        bake_png(_png()[:-20], CREDENTIAL)


# SVG


def _credential_elements(svg: str) -> list[ET.Element]:
    root = _xml(svg)
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    return root.findall(f"{{{OB_NAMESPACE}}}credential")


def test_a_baked_svg_gives_back_exactly_the_credential_as_its_first_child() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    assert unbake_svg(baked.encode()) == CREDENTIAL
    assert unbake(baked.encode()) == CREDENTIAL
    root = _xml(baked)
    assert root[0].tag == f"{{{OB_NAMESPACE}}}credential"
    assert root[0].text == CREDENTIAL
    assert root[1].tag == f"{{{SVG_NAMESPACE}}}circle"  # the picture is untouched
    assert baked.count(f'xmlns:openbadges="{OB_NAMESPACE}"') == 1


def test_json_holding_the_cdata_terminator_survives() -> None:
    tricky = json.dumps({"name": "a]]>b ]]]]> <![CDATA[ c", "narrative": "</openbadges:credential>"})
    baked = bake_svg(SVG, tricky)
    assert unbake_svg(baked.encode()) == tricky


def test_baking_an_svg_again_replaces_the_earlier_credential() -> None:
    tricky = json.dumps({"narrative": "</openbadges:credential> ]]> inside"})
    once = bake_svg(SVG, tricky)
    twice = bake_svg(once, CREDENTIAL)
    assert len(_credential_elements(twice)) == 1
    assert unbake_svg(twice.encode()) == CREDENTIAL
    assert twice.count("xmlns:openbadges=") == 1


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
        '<svg xmlns="http://www.w3.org/2000/svg" aria-label="a > b" viewBox="0 0 1 1"><g/></svg>',
        "<!-- a badge -->\n<svg\n  xmlns='http://www.w3.org/2000/svg'\n  >\n<g/></svg>",
    ],
    ids=["self-closing", "angle bracket in an attribute", "comment and line breaks"],
)
def test_any_well_formed_svg_start_tag_takes_the_credential(svg: str) -> None:
    baked = bake_svg(svg, CREDENTIAL)
    assert unbake_svg(baked.encode()) == CREDENTIAL


def test_characters_xml_cannot_carry_are_baked_as_json_escapes_of_the_same_value() -> None:
    value = {"name": "non-character \ufffe and \uffff here"}
    baked = bake_svg(SVG, json.dumps(value, ensure_ascii=False))
    assert json.loads(unbake_svg(baked.encode())) == value


def test_a_utf8_byte_order_mark_is_fine() -> None:
    assert unbake(b"\xef\xbb\xbf" + bake_svg(SVG, CREDENTIAL).encode()) == CREDENTIAL


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<svg xmlns="http://www.w3.org/2000/svg"><title>&b;</title></svg>'
)
BAD_SVGS = {
    "DOCTYPE": (BILLION_LAUGHS.encode(), "DOCTYPE"),
    "DOCTYPE in UTF-16": (BILLION_LAUGHS.replace('"1.0"?', '"1.0" encoding="UTF-16"?').encode("utf-16"), "UTF-8"),
    "external entity": (
        b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>',
        "DOCTYPE",
    ),
    "not well-formed": (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "not well-formed"),
    "not SVG": (b"<html><body/></html>", "root element is not <svg>"),
    "no credential": (SVG.encode(), "carries no credential"),
    "two credentials": (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{OB_NAMESPACE}"><o:credential>{{}}</o:credential>'
        f"<o:credential>{{}}</o:credential></svg>".encode(),
        "more than one credential",
    ),
    "empty credential": (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{OB_NAMESPACE}"><o:credential> </o:credential>'
        "</svg>".encode(),
        "empty",
    ),
    "a JWT": (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{OB_NAMESPACE}"><o:credential verify="eyJ"/></svg>'.encode(),
        "JWT",
    ),
    "too large": (SVG.encode() + b" " * MAX_IMAGE_BYTES, "larger than 5 MB"),
}


@pytest.mark.parametrize("case", BAD_SVGS, ids=list(BAD_SVGS))
def test_a_bad_svg_is_refused_with_a_reason(case: str) -> None:
    content, message = BAD_SVGS[case]
    with pytest.raises(BakingError, match=message):
        unbake_svg(content)


@pytest.mark.parametrize(
    ("svg", "message"),
    [("<html/>", "no <svg> element"), ('<svg viewBox="0 0 1 1"', "never closed")],
)
def test_what_is_not_an_svg_cannot_be_baked(svg: str, message: str) -> None:
    with pytest.raises(BakingError, match=message):
        bake_svg(svg, CREDENTIAL)


def test_a_file_that_is_neither_png_nor_svg_is_refused() -> None:
    with pytest.raises(BakingError, match="neither a PNG nor an SVG"):
        unbake(b"GIF89a\x01\x00")
