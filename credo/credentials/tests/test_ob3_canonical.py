"""Canonicalization refuses what JSON-LD would silently drop, and writes RDFC-1.0 exactly."""

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credo.credentials.ob3.canonical import Limits, canonicalize
from credo.credentials.ob3.contexts import context_document
from credo.credentials.ob3.errors import DocumentRejected
from credo.credentials.ob3.keys import SigningKey

from .ob3_samples import micro_credential


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return micro_credential(SigningKey.generate())


def rejected(document: dict[str, Any]) -> list[str]:
    with pytest.raises(DocumentRejected) as caught:
        canonicalize(document)
    return caught.value.problems


def test_an_undefined_property_is_refused_by_name(credential: dict[str, Any]) -> None:
    document = copy.deepcopy(credential)
    document["credentialSubject"]["achievement"]["shoeSize"] = 42
    document["favouriteColour"] = "teal"
    assert rejected(document) == [
        "'favouriteColour' is not defined by any of the document's contexts",
        "'shoeSize' is not defined by any of the document's contexts",
    ]


def test_a_relative_iri_is_refused(credential: dict[str, Any]) -> None:
    document = copy.deepcopy(credential)
    document["credentialSubject"]["achievement"]["id"] = "achievements/7"
    assert rejected(document) == ["the id 'achievements/7' is not an absolute IRI (relative IRIs are not signed)"]


def test_an_undefined_type_is_refused_as_a_relative_iri(credential: dict[str, Any]) -> None:
    document = copy.deepcopy(credential)
    document["credentialSchema"] = [{"id": "https://example.org/schema.json", "type": "1EdTechJsonSchemaValidator2019"}]
    assert "the type '1EdTechJsonSchemaValidator2019' is not an absolute IRI" in rejected(document)[0]


@pytest.mark.parametrize("date", ["2024-11-20T09:30:00", "2024-11-20 09:30:00Z", "2024-11-20"])
def test_a_date_without_a_time_zone_or_the_t_separator_is_refused(credential: dict[str, Any], date: str) -> None:
    document = {**credential, "validFrom": date}
    assert rejected(document) == [f"the date {date!r} must be written like 2024-03-27T00:00:00Z, with a time zone"]


def test_an_unknown_context_is_refused_without_fetching_it(credential: dict[str, Any]) -> None:
    document = {**credential, "@context": [*credential["@context"], "https://evil.example/context.json"]}
    assert rejected(document) == ["@context: unknown context 'https://evil.example/context.json'"]


def test_an_inline_context_is_refused(credential: dict[str, Any]) -> None:
    document = {**credential, "@context": [*credential["@context"], {"shoeSize": "https://example.org/shoeSize"}]}
    assert "inline contexts are not accepted" in rejected(document)[0]


def test_a_document_without_a_context_is_refused() -> None:
    assert rejected({"id": "urn:uuid:1"}) == ["the document must be a JSON object with an @context"]


def test_too_many_look_alike_blank_nodes_are_refused(credential: dict[str, Any]) -> None:
    document = copy.deepcopy(credential)
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "same", "targetUrl": "https://example.org/"} for _ in range(3)
    ] + [{"type": ["Alignment"], "targetName": f"n{i}", "targetUrl": "https://example.org/"} for i in range(20)]
    # Identical objects collapse into distinct blank nodes that look alike.
    with pytest.raises(DocumentRejected, match="indistinguishable blank nodes"):
        canonicalize(document, Limits(max_alike_blank_nodes=2))
    with pytest.raises(DocumentRejected, match="too many blank nodes"):
        canonicalize(document, Limits(max_blank_nodes=10))
    assert canonicalize(document)


def test_control_characters_are_escaped_as_rdfc_1_0_requires(credential: dict[str, Any]) -> None:
    document = copy.deepcopy(credential)
    document["name"] = 'a\x00b\x07\x08\t\n\x0b\x0c\r\x1f\x7f"\\ é\u2028'
    canonical = canonicalize(document)
    assert '"a\\u0000b\\u0007\\b\\t\\n\\u000B\\f\\r\\u001F\\u007F\\"\\\\ é\u2028"' in canonical
    # N-Quads lines end in "\n" only: U+2028 inside a literal does not split a line (pitfall 5).
    assert all(line.endswith(" .") for line in canonical.split("\n")[:-1])


def test_lines_sort_by_code_point_not_utf16(credential: dict[str, Any]) -> None:
    document = copy.deepcopy(credential)
    # U+1F331 (an astral emoji) sorts after U+FF21 (fullwidth A) by code point, before it by UTF-16 unit.
    document["credentialSubject"]["achievement"]["tag"] = ["\U0001f331", "\uff21"]
    lines = [line for line in canonicalize(document).split("\n") if "keywords" in line]
    assert lines == sorted(lines)
    assert "\uff21" in lines[0]


def _pyld_reference(document: dict[str, Any]) -> str:
    def loader(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": context_document(url)}

    result: str = jsonld.normalize(
        json.loads(json.dumps(document)),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
    )
    return result


printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=40, deadline=None)
@given(name=printable, narrative=printable, tags=st.lists(printable, max_size=3))
def test_the_fast_path_agrees_with_plain_pyld(name: str, narrative: str, tags: list[str]) -> None:
    """credo's cached context processing changes speed, not results.

    (Control characters are left out: there pyld's own escaping is not RDFC-1.0's.)
    """
    document = micro_credential(KEY, learner_name=name, narrative=narrative or "x")
    document["credentialSubject"]["achievement"]["tag"] = tags
    assert canonicalize(document) == _pyld_reference(document)


KEY = SigningKey.generate()
