"""RDFC-1.0 canonicalization of JSON-LD documents, strict about what gets signed.

pyld turns the JSON-LD into RDF (it is the only complete JSON-LD 1.1 processor
for Python) and ``nquads.py`` canonicalizes the RDF with RDFC-1.0, in Python
where no choice between look-alike blank nodes is needed and with oxigraph
otherwise (pyld's own canonical form escapes literals differently from RDFC-1.0).

A signature covers only what survives the trip to RDF, so anything JSON-LD
would silently drop is refused here instead: a property no context defines, a
relative IRI, a date without a time zone, an unknown context. Verification
applies the same rules, so a credential carrying unsigned data never verifies.

Documents that keep to plain JSON-LD over the pinned contexts (every
credential credo composes) take a faster route to the same quads
(``expansion.py``) and the same canonical form (``nquads.py``); anything else,
including everything that must be refused, goes through pyld as described
above. Nothing about a document is cached between calls.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyoxigraph as ox
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credo.credentials.ob3.contexts import context_document, known_context_urls, pinned_object_ids
from credo.credentials.ob3.errors import CredentialError, DocumentRejected
from credo.credentials.ob3.expansion import Dataset, PinnedExpansion, Unsupported
from credo.credentials.ob3.nquads import Canonicalization, Quad, is_blank

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATETIME = {XSD + "dateTime", "https://www.w3.org/2001/XMLSchema#dateTime"}
# xsd:dateTime with the T separator and a time zone (Z or an offset): pitfall 7.
_ZONED_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_WHITE_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Limits:
    """Bounds on a document, so hostile input cannot make canonicalization run away.

    RDFC-1.0 is exponential in the number of blank nodes that look alike, so
    both the total and the size of any group of look-alike blank nodes are capped.
    """

    max_quads: int = 20_000
    max_blank_nodes: int = 2_000
    max_alike_blank_nodes: int = 12


DEFAULT_LIMITS = Limits()


def _load_document(url: str, options: Any = None) -> dict[str, Any]:
    # 'static' lets pyld keep the processed context for the life of the process.
    return {"contextUrl": None, "documentUrl": url, "document": context_document(url), "tag": "static"}


class _PinnedContextResolver(ContextResolver):
    """pyld's resolver, remembering the scoped contexts inside the pinned files by identity.

    pyld would otherwise serialize each scoped context to JSON to look it up,
    for every node of every document, which is most of its running time.
    """

    def __init__(self) -> None:
        super().__init__(jsonld._resolved_context_cache, _load_document)
        self._by_identity: dict[int, Any] = {}

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if isinstance(context, dict) and id(context) in pinned_object_ids():
            resolved = self._by_identity.get(id(context))
            if resolved is None:
                resolved = self._by_identity[id(context)] = super().resolve(active_ctx, context, base, cycles)
            return resolved
        return super().resolve(active_ctx, context, base, cycles)


class _StrictProcessor(jsonld.JsonLdProcessor):
    """A JSON-LD processor that records dropped properties and reuses processed pinned contexts.

    pyld re-processes a non-propagating (type-scoped) context every time a node
    uses it. The processed contexts are immutable and depend only on the
    active context and the pinned context, so they are kept by those two.
    """

    _processed: dict[tuple[Any, ...], Any] = {}

    def __init__(self) -> None:
        self.dropped: list[str] = []
        super().__init__(on_property_dropped=self._dropped)

    def _dropped(self, expanded_property: str | None) -> None:
        self.dropped.append(str(expanded_property))

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        uuid = active_ctx.get("_uuid")
        if uuid is None or not isinstance(local_ctx, dict) or id(local_ctx) not in pinned_object_ids():
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (uuid, id(local_ctx), override_protected, propagate, validate_scoped)
        processed = self._processed.get(key)
        if processed is None:
            processed = super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
            if len(self._processed) < 10_000:  # bounded: the pinned contexts give a small, fixed set
                self._processed[key] = processed
        return processed


_RESOLVER = _PinnedContextResolver()
_OPTIONS = {
    "documentLoader": _load_document,
    "contextResolver": _RESOLVER,
    "base": None,  # never resolve relative IRIs against a made-up base (pitfall 2)
    "rdfDirection": "i18n-datatype",  # as the eddsa-rdfc-2022 reference implementation does
    "produceGeneralizedRdf": False,
}


def _context_problems(document: Any, path: str = "") -> list[str]:
    """Contexts may only name the pinned files: no inline contexts, no unknown URLs."""
    problems: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            here = f"{path}.{key}" if path else key
            if key == "@context":
                urls = value if isinstance(value, list) else [value]
                for url in urls:
                    if not isinstance(url, str):
                        problems.append(f"{here}: inline contexts are not accepted; use the published context URLs")
                    elif url not in known_context_urls():
                        problems.append(f"{here}: unknown context {url!r}")
            else:
                problems.extend(_context_problems(value, here))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            problems.extend(_context_problems(item, f"{path}[{index}]"))
    return problems


def to_rdf(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The RDF dataset of ``document`` as pyld builds it, refusing anything that would be dropped."""
    if not isinstance(document, dict) or "@context" not in document:
        raise DocumentRejected(["the document must be a JSON object with an @context"])
    problems = _context_problems(document)
    if problems:
        raise DocumentRejected(problems)
    processor = _StrictProcessor()
    options = dict(_OPTIONS)
    try:
        expanded = processor.expand(document, options)
    except jsonld.JsonLdError as error:
        raise DocumentRejected([f"not valid JSON-LD: {_jsonld_reason(error)}"]) from error
    problems = [f"{name!r} is not defined by any of the document's contexts" for name in processor.dropped]
    problems.extend(_relative_iris(expanded))
    if problems:
        raise DocumentRejected(sorted(set(problems)))
    try:
        dataset: dict[str, list[dict[str, Any]]] = processor.to_rdf(expanded, {**options, "base": None})
    except jsonld.JsonLdError as error:
        raise DocumentRejected([f"not valid JSON-LD: {_jsonld_reason(error)}"]) from error
    return dataset


def _jsonld_reason(error: Exception) -> str:
    cause = error
    while cause.__cause__ is not None and isinstance(cause.__cause__, jsonld.JsonLdError):
        cause = cause.__cause__
    return str(getattr(cause, "message", cause)).splitlines()[0]


def _relative_iris(expanded: Any) -> list[str]:
    """Every @id and @type in the expanded document must be absolute (or a blank node)."""
    problems: list[str] = []

    def check(value: Any, what: str) -> None:
        if not isinstance(value, str) or value.startswith("_:"):
            return
        if not _ABSOLUTE_IRI.match(value):
            problems.append(f"{what} {value!r} is not an absolute IRI (relative IRIs are not signed)")
        elif _WHITE_SPACE.search(value):
            # pyld would leave every statement about it out of the RDF, so out of the signature.
            problems.append(f"{what} {value!r} is not a valid IRI: it contains white space")

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@id":
                    check(value, "the id")
                elif key == "@type" and "@value" not in node:
                    for kind in value if isinstance(value, list) else [value]:
                        check(kind, "the type")
                elif key == "@type":
                    check(value, "the datatype")
                else:
                    walk(value)

    walk(expanded)
    return problems


def _node(term: dict[str, Any]) -> ox.NamedNode | ox.BlankNode:
    if term["type"] == "blank node":
        return ox.BlankNode(term["value"][2:])
    return ox.NamedNode(term["value"])


def _term(term: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term["type"] in {"IRI", "blank node"}:
        return _node(term)
    if term.get("language"):
        return ox.Literal(term["value"], language=term["language"])
    return ox.Literal(term["value"], datatype=ox.NamedNode(term["datatype"]))


def _quads(dataset: dict[str, list[dict[str, Any]]]) -> Dataset:
    """pyld's dataset as quads, each term checked by oxigraph (which says what is not valid RDF)."""
    quads: list[Quad] = []
    datetimes: list[str] = []
    for graph, triples in dataset.items():
        graph_name = (
            ""
            if graph == "@default"
            else str(_node({"type": "blank node" if is_blank(graph) else "IRI", "value": graph}))
        )
        for triple in triples:
            try:
                value = _term(triple["object"])
                quads.append(
                    (
                        str(_node(triple["subject"])),
                        str(ox.NamedNode(triple["predicate"]["value"])),
                        str(value),
                        graph_name,
                    )
                )
            except ValueError as error:
                raise DocumentRejected([f"not valid RDF: {error}"]) from error
            if isinstance(value, ox.Literal) and value.datatype.value in XSD_DATETIME:
                datetimes.append(value.value)
    return Dataset(quads, datetimes)


def _check_dates(datetimes: list[str]) -> list[str]:
    return [
        f"the date {value!r} must be written like 2024-03-27T00:00:00Z, with a time zone"
        for value in datetimes
        if not _ZONED_DATETIME.match(value)
    ]


def _check_size(quads: list[Quad], limits: Limits) -> None:
    if len(quads) > limits.max_quads:
        raise DocumentRejected(
            [f"the document is too large: {len(quads)} statements (the limit is {limits.max_quads})"]
        )


def _check_blank_nodes(canonicalization: Canonicalization, quads: list[Quad], limits: Limits) -> None:
    if canonicalization.blank_nodes > limits.max_blank_nodes:
        raise DocumentRejected(
            [
                f"the document has too many blank nodes: {canonicalization.blank_nodes} "
                f"(the limit is {limits.max_blank_nodes})"
            ]
        )
    _check_alike(quads, canonicalization.tied_blank_nodes(), limits)


def _check_alike(quads: list[Quad], candidates: set[str], limits: Limits) -> None:
    """Refuse a document whose look-alike blank nodes would make RDFC-1.0's N-degree hashing run away.

    Only the ``candidates`` (blank nodes that tie with another on their first-degree
    hashes) can cost more than linear time, and only while they stay alike: nodes
    that differ somewhere in their surroundings (a transcript's many copies of the
    learner's name object, each under a different credential) are told apart by a
    short walk, whatever their number. So the ties are refined by their neighbours'
    colours, round after round (colour refinement), and what is still alike at the
    end, a group of truly interchangeable nodes, is what the limit bounds.
    """
    if len(candidates) <= limits.max_alike_blank_nodes:
        return
    mentions: dict[str, list[tuple[int, Quad]]] = {node: [] for node in candidates}
    for quad in quads:
        subject, _, value, graph = quad  # a predicate is never a blank node
        for position, term in ((0, subject), (2, value), (3, graph)):
            if term in mentions:
                mentions[term].append((position, quad))

    def refine(node: str, colours: dict[str, str]) -> str:
        def colour(term: str) -> str:
            if term == node:
                return "_:self"
            return colours.get(term, term)  # a blank node that ties with none is as distinct as an IRI

        seen = sorted(f"{position}:" + " ".join(map(colour, quad)) for position, quad in mentions[node])
        return hashlib.sha256("\n".join([colours[node], *seen]).encode()).hexdigest()

    colours = dict.fromkeys(candidates, "")
    classes = 1
    for _ in range(len(candidates)):  # each round splits at least one class, or nothing changes again
        refined = {node: refine(node, colours) for node in candidates}
        refined_classes = len(set(refined.values()))
        colours = refined
        if refined_classes == classes:
            break
        classes = refined_classes
    largest = max(Counter(colours.values()).values())
    if largest > limits.max_alike_blank_nodes:
        raise DocumentRejected(
            [
                f"the document has {largest} indistinguishable blank nodes "
                f"(the limit is {limits.max_alike_blank_nodes}); canonicalizing it would take too long"
            ]
        )


_EXPANSION_OPTIONS = {
    **_OPTIONS,
    "isFrame": False,
    "keepFreeFloatingNodes": False,
    "extractAllScripts": False,
    "processingMode": "json-ld-1.1",
}


@cache
def _pinned_expansion() -> PinnedExpansion:
    processor = _StrictProcessor()

    def process(active: Any, local: Any, override_protected: bool, propagate: bool) -> Any:
        return processor._process_context(
            active, local, dict(_EXPANSION_OPTIONS), override_protected=override_protected, propagate=propagate
        )

    initial = processor._get_initial_context(_EXPANSION_OPTIONS)
    return PinnedExpansion(process, initial, known_context_urls(), frozenset(XSD_DATETIME))


def _dataset(document: dict[str, Any]) -> Dataset:
    """The document's quads: by the fast path when it applies, else through pyld (which refuses what is wrong)."""
    try:
        dataset = _pinned_expansion().quads(document)
    except (Unsupported, RecursionError):  # deep nesting: pyld's path says what it always said
        pass
    else:
        if not _check_dates(dataset.datetimes):
            return dataset
        # A bad date: let the full path report it, so problems come in the same order either way.
    return _quads(to_rdf(document))


def canonicalize(document: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document``, or ``DocumentRejected`` saying what to fix."""
    dataset = _dataset(document)
    _check_size(dataset.quads, limits)
    canonicalization = Canonicalization(dataset.quads)  # linear: groups and hashes each blank node's quads
    _check_blank_nodes(canonicalization, dataset.quads, limits)
    problems = _check_dates(dataset.datetimes)
    if problems:
        raise DocumentRejected(problems)
    return canonicalization.nquads()


def require_absolute_iri(value: str, what: str) -> str:
    if not _ABSOLUTE_IRI.match(value):
        raise CredentialError(f"{what} must be an absolute IRI (a URL, a DID or urn:uuid:...), not {value!r}")
    return value
