"""RDFC-1.0 canonicalization of JSON-LD documents, strict about what gets signed.

pyld turns the JSON-LD into RDF (it is the only complete JSON-LD 1.1 processor
for Python) and pyoxigraph canonicalizes the RDF with RDFC-1.0 (its N-Quads
escaping is the canonical form RDFC-1.0 requires; pyld's is not).

A signature covers only what survives the trip to RDF, so anything JSON-LD
would silently drop is refused here instead: a property no context defines, a
relative IRI, a date without a time zone, an unknown context. Verification
applies the same rules, so a credential carrying unsigned data never verifies.
"""

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credo.credentials.ob3.contexts import context_document, known_context_urls, pinned_object_ids
from credo.credentials.ob3.errors import CredentialError, DocumentRejected

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATETIME = {XSD + "dateTime", "https://www.w3.org/2001/XMLSchema#dateTime"}
# xsd:dateTime with the T separator and a time zone (Z or an offset): pitfall 7.
_ZONED_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


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
    options = {
        "documentLoader": _load_document,
        "contextResolver": _RESOLVER,
        "base": None,  # never resolve relative IRIs against a made-up base (pitfall 2)
        "rdfDirection": "i18n-datatype",  # as the eddsa-rdfc-2022 reference implementation does
        "produceGeneralizedRdf": False,
    }
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
        if isinstance(value, str) and not (value.startswith("_:") or _ABSOLUTE_IRI.match(value)):
            problems.append(f"{what} {value!r} is not an absolute IRI (relative IRIs are not signed)")

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


def _quads(dataset: dict[str, list[dict[str, Any]]]) -> list[ox.Quad]:
    quads = []
    for graph, triples in dataset.items():
        graph_name: ox.DefaultGraph | ox.BlankNode | ox.NamedNode
        if graph == "@default":
            graph_name = ox.DefaultGraph()
        elif graph.startswith("_:"):
            graph_name = ox.BlankNode(graph[2:])
        else:
            graph_name = ox.NamedNode(graph)
        for triple in triples:
            try:
                quads.append(
                    ox.Quad(
                        _node(triple["subject"]),
                        ox.NamedNode(triple["predicate"]["value"]),
                        _term(triple["object"]),
                        graph_name,
                    )
                )
            except ValueError as error:
                raise DocumentRejected([f"not valid RDF: {error}"]) from error
    return quads


def _check_dates(quads: list[ox.Quad]) -> list[str]:
    problems = []
    for quad in quads:
        value = quad.object
        if not isinstance(value, ox.Literal):
            continue
        if value.datatype.value in XSD_DATETIME and not _ZONED_DATETIME.match(value.value):
            problems.append(f"the date {value.value!r} must be written like 2024-03-27T00:00:00Z, with a time zone")
    return problems


def _check_limits(quads: list[ox.Quad], limits: Limits) -> None:
    if len(quads) > limits.max_quads:
        raise DocumentRejected(
            [f"the document is too large: {len(quads)} statements (the limit is {limits.max_quads})"]
        )
    mentions: dict[str, list[str]] = {}
    for quad in quads:
        terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
        for position, term in enumerate(terms):
            if isinstance(term, ox.BlankNode):
                shape = " ".join(
                    ("_:self" if other == term else "_:other" if isinstance(other, ox.BlankNode) else str(other))
                    for other in terms
                )
                mentions.setdefault(term.value, []).append(f"{position}:{shape}")
    if len(mentions) > limits.max_blank_nodes:
        raise DocumentRejected(
            [f"the document has too many blank nodes: {len(mentions)} (the limit is {limits.max_blank_nodes})"]
        )
    alike: dict[tuple[str, ...], int] = {}
    for shapes in mentions.values():
        signature = tuple(sorted(shapes))
        alike[signature] = alike.get(signature, 0) + 1
    if alike and max(alike.values()) > limits.max_alike_blank_nodes:
        raise DocumentRejected(
            [
                f"the document has {max(alike.values())} indistinguishable blank nodes "
                f"(the limit is {limits.max_alike_blank_nodes}); canonicalizing it would take too long"
            ]
        )


def canonicalize(document: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document``, or ``DocumentRejected`` saying what to fix."""
    quads = _quads(to_rdf(document))
    _check_limits(quads, limits)
    problems = _check_dates(quads)
    if problems:
        raise DocumentRejected(problems)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    # Code point order, which is what RDFC-1.0 specifies (pitfall 4); one line per quad, "\n" only.
    return "".join(sorted(f"{quad} .\n" for quad in dataset))


def require_absolute_iri(value: str, what: str) -> str:
    if not _ABSOLUTE_IRI.match(value):
        raise CredentialError(f"{what} must be an absolute IRI (a URL, a DID or urn:uuid:...), not {value!r}")
    return value
