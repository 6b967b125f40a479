"""JSON-LD to RDF for documents written against the pinned contexts only, without pyld's generality.

pyld is a complete JSON-LD 1.1 processor, and most of its time goes on that
generality: every key of every node is re-examined for keywords, containers
and options that credentials never use. This module walks the JSON once and
writes the quads directly, doing exactly what pyld's expansion, node map and
RDF conversion would do for the part of JSON-LD that credentials use: terms
from the pinned contexts, ``@id`` and ``@type`` (and their aliases), embedded
node objects, ``@set`` and ``@graph`` containers, type coercion, and
property-, type- and node-scoped contexts.

Context processing itself (protected terms, scoped contexts, what reverts
when) is not repeated here: pyld's own ``_process_context`` computes every
active context, and each one is kept, keyed by where it came from, since the
pinned contexts never change. So the rules about which context applies where
are pyld's, and only the per-node work is done here.

Anything outside that part of JSON-LD (an undefined term, a relative IRI, a
keyword such as ``@value`` or ``@list``, an inline context, a literal that is
not valid RDF) raises ``Unsupported``; the caller then runs pyld's full path,
which refuses the document with the reason or handles the rare feature. This
path therefore never decides that a document is wrong, only that it is plain.
The quads it returns are the same as pyld's, duplicates included, which the
tests check against pyld on many generated documents.
"""

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyld.jsonld import (  # the helpers pyld's RDF conversion uses, so literals are written identically
    KEYWORD_PATTERN,
    KEYWORDS,
    XSD_BOOLEAN,
    XSD_DOUBLE,
    XSD_INTEGER,
    JsonLdError,
    _canonicalize_double,
    _is_absolute_iri,
    _is_double,
    _is_integer,
)

from credo.credentials.ob3.nquads import RDF_TYPE, XSD_STRING, Quad, iri, literal

# pyld's context processing: (active context, local context, override_protected, propagate) -> active context
ProcessContext = Callable[[Any, Any, bool, bool], Any]

# Same rule as canonical._ABSOLUTE_IRI: a scheme, then a colon.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_KEYWORD_LIKE = re.compile(KEYWORD_PATTERN)
_KEYWORDS = frozenset(KEYWORDS)
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_CONTAINERS = frozenset({"@set"})
_GRAPH_CONTAINERS = frozenset({"@graph", "@graph@set"})
_MAX_CONTEXTS = 1_000  # active contexts kept (credo's documents need about 50); past it, pyld's path


class Unsupported(Exception):  # noqa: N818 - a signal to take the full path, not an error
    """The document uses JSON-LD this path does not handle (or gets wrong): pyld's full path must take it."""


def _valid_iri(value: str) -> str:
    """``value`` as an IRI term if pyld and oxigraph both take it as absolute, else Unsupported."""
    if not (_SCHEME.match(value) and _is_absolute_iri(value)):
        raise Unsupported(value)
    try:
        ox.NamedNode(value)
    except ValueError:
        raise Unsupported(value) from None
    return iri(value)


def _literal_form(value: Any, datatype: str | None) -> tuple[str, str]:
    """(lexical form, datatype) exactly as pyld's ``_object_to_rdf`` writes a JSON value."""
    if isinstance(value, bool):
        return ("true" if value else "false"), datatype or XSD_BOOLEAN
    if _is_double(value):
        return _canonicalize_double(value), datatype or XSD_DOUBLE
    if datatype == XSD_DOUBLE:
        try:
            return _canonicalize_double(float(value)), XSD_DOUBLE
        except (ValueError, TypeError):
            return value, XSD_DOUBLE
    if _is_integer(value) and abs(value) >= 1e21:
        return _canonicalize_double(value), datatype or XSD_DOUBLE
    if _is_integer(value):
        return str(int(value)), datatype or XSD_INTEGER
    return value, datatype or XSD_STRING


# How a term coerces string values.
_AS_LITERAL, _AS_ID, _AS_VOCAB = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _Term:
    """A key of an active context, reduced to what expanding one of its values needs."""

    keyword: str | None = None  # the keyword a key is or aliases (@id, @type, @context...): nothing else applies
    usable: bool = False  # a property this path expands; if False (and no keyword), pyld's path must
    predicate: str = ""  # the property's IRI term
    coerce: int = _AS_LITERAL
    datatype: str | None = None  # a coerced datatype
    datatype_problem: bool = False  # a coerced datatype pyld would refuse for a literal
    graph: bool = False  # an @graph container: each value goes in a graph of its own
    language_tagged: bool = False  # strings would get a default language or direction
    scoped_context: Any = None  # the property-scoped context, if any


_DROPPED = _Term()  # a key this path does not expand (undefined, reverse, compact IRI...)


@dataclass(eq=False)
class _Context:
    """One of pyld's active contexts, with its terms compiled on first use and its successors kept."""

    active: Any
    process: ProcessContext
    registry: "_Registry"
    previous: "_Context | None" = None
    terms: dict[str, _Term] = field(default_factory=dict)  # compiled so far; use term() for the others
    _types: dict[str, str] = field(default_factory=dict)
    _next: dict[Any, "_Context"] = field(default_factory=dict)
    _kept: list[Any] = field(default_factory=list)
    type_keys: frozenset[str] = frozenset()  # the keys that mean @type here

    def __post_init__(self) -> None:
        mappings = self.active["mappings"]
        self.type_keys = frozenset(
            {"@type", *(key for key, mapping in mappings.items() if mapping and mapping.get("@id") == "@type")}
        )

    # -- keys and IRIs, as pyld's _expand_iri with no base -------------------------------------------------

    def expand_iri(self, value: str, vocab: bool) -> str | None:
        if value in _KEYWORDS:
            return value
        if _KEYWORD_LIKE.match(value):
            return None
        mappings = self.active["mappings"]
        if vocab and value in mappings:
            mapping = mappings[value]
            return None if mapping is None else mapping["@id"]
        if value.find(":") > 0:
            prefix, suffix = value.split(":", 1)
            if prefix == "_" or suffix.startswith("//"):
                return value
            mapping = mappings.get(prefix)
            if mapping and mapping["_prefix"]:
                return str(mapping["@id"]) + suffix
            if _is_absolute_iri(value):
                return value
        if vocab and "@vocab" in self.active:
            return str(self.active["@vocab"]) + value
        return value

    def term(self, key: str) -> _Term:
        compiled = self.terms.get(key)
        if compiled is None:
            compiled = self.terms[key] = self._compile(key)
        return compiled

    def _compile(self, key: str) -> _Term:
        if key in _KEYWORDS:
            return _Term(keyword=key)
        mapping = self.active["mappings"].get(key)
        if not mapping:  # undefined, explicitly null, a compact or absolute IRI, keyword-like: pyld's path
            return _DROPPED
        expanded = mapping["@id"]
        if expanded in _KEYWORDS:
            return _Term(keyword=expanded)
        container = "".join(sorted(mapping.get("@container") or ()))
        kind = mapping.get("@type")
        if (
            not isinstance(expanded, str)
            or expanded.startswith("_:")
            or mapping.get("reverse")
            or "@nest" in mapping
            or kind in {"@json", "@none"}
            or (container and container not in _PLAIN_CONTAINERS | _GRAPH_CONTAINERS)
        ):
            return _DROPPED
        try:
            predicate = _valid_iri(expanded)
        except Unsupported:
            return _DROPPED
        datatype = None
        datatype_problem = False
        if kind not in {None, "@id", "@vocab"}:
            datatype = kind
            try:
                if not isinstance(kind, str) or kind.startswith("_:"):
                    raise Unsupported(kind)
                _valid_iri(kind)
            except Unsupported:
                datatype_problem = True
        language = self.active.get("@language")
        direction = self.active.get("@direction")
        if "@language" in mapping:
            language = mapping["@language"]
        if "@direction" in mapping:
            direction = mapping["@direction"]
        return _Term(
            usable=True,
            predicate=predicate,
            coerce={"@id": _AS_ID, "@vocab": _AS_VOCAB}.get(kind, _AS_LITERAL),
            datatype=datatype,
            datatype_problem=datatype_problem,
            graph=container in _GRAPH_CONTAINERS,
            language_tagged=language is not None or direction is not None,
            scoped_context=mapping.get("@context"),
        )

    def type_iri(self, value: str) -> str:
        """A @type value (expanded against this, the type-scoped context) as an IRI term."""
        known = self._types.get(value)
        if known is not None:
            return known
        expanded = self.expand_iri(value, vocab=True)
        if expanded is None or expanded in _KEYWORDS or expanded.startswith("_:"):
            raise Unsupported(value)
        term = _valid_iri(expanded)
        if value in self.active["mappings"]:  # only context-derived results are kept
            self._types[value] = term
        return term

    def type_scoped_context(self, value: str) -> Any:
        mapping = self.active["mappings"].get(value)
        return mapping.get("@context") if mapping else None

    # -- successors ---------------------------------------------------------------------------------------

    def scoped(self, local: Any, *, override_protected: bool, propagate: bool) -> "_Context":
        """The active context after a scoped context from the pinned files (a dict)."""
        key = (id(local), override_protected, propagate)
        known = self._next.get(key)
        if known is None:
            known = self._successor(key, local, local, override_protected, propagate)
        return known

    def with_contexts(self, value: Any) -> "_Context":
        """The active context after a node's own @context, which must name pinned contexts only."""
        urls = tuple(value) if isinstance(value, list) else (value,)
        if not urls or not all(isinstance(url, str) and url in self.registry.urls for url in urls):
            raise Unsupported("@context")
        known = self._next.get(urls)
        if known is None:
            known = self._successor(urls, list(urls), None, False, True)
        return known

    def _successor(self, key: Any, local: Any, keep: Any, override_protected: bool, propagate: bool) -> "_Context":
        try:
            active = self.process(self.active, local, override_protected, propagate)
        except JsonLdError as error:
            raise Unsupported("context processing") from error
        successor = self.registry.wrap(active)
        if keep is not None:
            # Holding the scoped context keeps its id, part of the key, from being reused by another object.
            self._kept.append(keep)
        self._next[key] = successor
        return successor


class _Registry:
    """Every active context met so far, one ``_Context`` each, bounded in number."""

    def __init__(self, process: ProcessContext, initial: Any, urls: frozenset[str]) -> None:
        self.process = process
        self.urls = urls
        # Keyed by id(); each value holds the active context itself, so no id is ever reused while known.
        self._wrapped: dict[int, tuple[Any, _Context]] = {}
        self._lock = threading.Lock()
        self.initial = self.wrap(initial)

    def wrap(self, active: Any) -> _Context:
        with self._lock:
            return self._wrap(active)

    def _wrap(self, active: Any) -> _Context:
        known = self._wrapped.get(id(active))
        if known is not None:
            return known[1]
        if len(self._wrapped) >= _MAX_CONTEXTS:
            raise Unsupported("too many combinations of contexts")
        previous = active.get("previousContext")
        context = _Context(active, self.process, self, self._wrap(previous) if previous else None)
        self._wrapped[id(active)] = (active, context)
        return context


@dataclass
class Dataset:
    """The quads of a document, in pyld's multiplicity, and the lexical forms of its xsd:dateTime literals."""

    quads: list[Quad]
    datetimes: list[str]


class _Walk:
    """One document's walk: blank node labels, the quads so far, and pyld's rule for duplicates."""

    def __init__(self, datetime_types: frozenset[str]) -> None:
        self.quads: list[Quad] = []
        self.datetimes: list[str] = []
        self._datetime_types = datetime_types
        self._seen: set[tuple[Any, ...]] = set()
        self._labels: dict[str, str] = {}

    def blank(self, label: str | None = None) -> str:
        key = label if label is not None else f"#{len(self._labels)}"
        known = self._labels.get(key)
        if known is None:
            known = self._labels[key] = f"_:b{len(self._labels)}"
        return known

    def add(self, graph: str, subject: str, predicate: str, value: str, same_as: Any) -> bool:
        """Add a quad unless pyld's node map would see it as a duplicate (``same_as`` is its comparison key)."""
        key = (graph, subject, predicate, same_as)
        if key in self._seen:
            return False
        self._seen.add(key)
        self.quads.append((subject, RDF_TYPE if predicate == "@type" else predicate, value, graph))
        return True

    # -- nodes --------------------------------------------------------------------------------------------

    def node(self, context: _Context, active_property: str | None, element: dict[str, Any], graph: str) -> str:
        """Write the quads of a node object; returns its subject term. Mirrors pyld's _expand for an object."""
        scoped = context.term(active_property).scoped_context if active_property is not None else None
        if context.previous is not None:
            # A type-scoped context does not propagate into nested nodes (a node reference keeps it).
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in element:
                    keyword = context.term(key).keyword
                    if keyword == "@value":
                        raise Unsupported("@value")
                    if keyword == "@id" and len(element) == 1:
                        revert = False
            if revert:
                context = context.previous
        if scoped is not None:
            context = context.scoped(scoped, override_protected=True, propagate=True)
        if "@context" in element:
            context = context.with_contexts(element["@context"])

        # Type-scoped contexts: pyld applies them in order of the sorted types. With a single @type entry
        # (more take pyld's path) the keys' order does not matter, as the check below confirms.
        type_scoped = context
        type_key = None
        types: list[Any] = []
        found = context.type_keys.intersection(element)
        if found:
            if len(found) > 1:
                raise Unsupported("two @type entries")
            (type_key,) = found
            value = element[type_key]
            types = value if isinstance(value, list) else [value]
            if not types or not all(isinstance(kind, str) for kind in types):
                raise Unsupported("@type")
            for kind in sorted(types) if len(types) > 1 else types:
                local = type_scoped.type_scoped_context(kind)
                if local is not None and local is not False:
                    context = context.scoped(local, override_protected=False, propagate=False)

        subject = None
        properties = []
        terms = context.terms
        for key, value in element.items():
            term = terms.get(key) or context.term(key)
            keyword = term.keyword
            if key == type_key:
                if keyword != "@type":  # the type-scoped context changed what the key means
                    raise Unsupported(key)
            elif term.usable:
                properties.append((key, term, value))
            elif keyword == "@context":
                continue
            elif keyword == "@id" and subject is None and isinstance(value, str):
                subject = self.reference(context.expand_iri(value, vocab=False))
            else:
                raise Unsupported(key)
        if subject is None:
            subject = self.blank()
        for kind in types:
            type_iri = type_scoped.type_iri(kind)
            self.add(graph, subject, "@type", type_iri, type_iri)
        for key, term, value in properties:
            self.property(context, graph, subject, key, term, value)
        return subject

    def reference(self, expanded: str | None) -> str:
        """A node's @id (or an @id-coerced string), already expanded, as a term."""
        if expanded is None or expanded in _KEYWORDS:
            raise Unsupported("@id")
        if expanded.startswith("_:"):
            return self.blank(expanded)
        return _valid_iri(expanded)

    def property(self, context: _Context, graph: str, subject: str, key: str, term: _Term, value: Any) -> None:
        """Mirrors pyld's _expand_object for one non-keyword key, then its node map and RDF conversion."""
        inner = context
        inner_term = term
        if term.scoped_context is not None:
            inner = context.scoped(term.scoped_context, override_protected=True, propagate=True)
            inner_term = inner.term(key)
            if not inner_term.usable:
                raise Unsupported(key)
        for item in value if isinstance(value, list) else (value,):
            if item is None:
                continue
            if isinstance(item, dict):
                if term.graph:
                    name = self.blank()
                    self.add(graph, subject, term.predicate, name, name)
                    self.node(inner, key, item, name)
                else:
                    child = self.node(inner, key, item, graph)
                    self.add(graph, subject, term.predicate, child, child)
            elif isinstance(item, list):  # nested arrays flatten, as in pyld's expansion
                self.property(context, graph, subject, key, term, item)
            elif term.graph:
                raise Unsupported("a value in a graph container that is not a node")
            else:
                self.scalar(inner, inner_term, graph, subject, term.predicate, item)

    def scalar(self, context: _Context, term: _Term, graph: str, subject: str, predicate: str, value: Any) -> None:
        """Mirrors pyld's _expand_value, then _object_to_rdf."""
        kind = value.__class__
        if kind is str:
            coerce = term.coerce
            if coerce == _AS_LITERAL:
                if term.language_tagged or not (value.isascii() or _SURROGATE.search(value) is None):
                    raise Unsupported("a language-tagged string, or one that is not Unicode text")
                datatype = term.datatype
                if datatype is None:  # the common case: a plain string
                    self.add(graph, subject, predicate, literal(value, XSD_STRING), ("value", None, False, value))
                    return
                if term.datatype_problem:
                    raise Unsupported("a datatype pyld refuses")
                if datatype != XSD_DOUBLE:
                    if self.add(graph, subject, predicate, literal(value, datatype), ("value", datatype, False, value)):
                        self._dated(datatype, value)
                    return
            else:
                target = self.reference(context.expand_iri(value, vocab=coerce == _AS_VOCAB))
                self.add(graph, subject, predicate, target, target)
                return
        elif kind is float:
            if not math.isfinite(value):
                raise Unsupported("a number that is not finite")
        elif kind is not int and kind is not bool:
            raise Unsupported("a value that is not JSON")
        if term.datatype_problem:
            raise Unsupported("a datatype pyld refuses")
        lexical, datatype = _literal_form(value, term.datatype)
        # pyld's duplicate test: same coerced type, equal value, booleans apart from numbers.
        if self.add(
            graph, subject, predicate, literal(lexical, datatype), ("value", term.datatype, kind is bool, value)
        ):
            self._dated(datatype, lexical)

    def _dated(self, datatype: str, lexical: str) -> None:
        if datatype in self._datetime_types:
            self.datetimes.append(lexical)


class PinnedExpansion:
    """The fast path for documents whose contexts are pinned; ``quads`` raises Unsupported for anything else."""

    def __init__(
        self, process: ProcessContext, initial: Any, urls: frozenset[str], datetime_types: frozenset[str]
    ) -> None:
        self._registry = _Registry(process, initial, urls)
        self._datetime_types = datetime_types

    def quads(self, document: Any) -> Dataset:
        if not isinstance(document, dict) or "@context" not in document:
            raise Unsupported("not a JSON-LD object with an @context")
        walk = _Walk(self._datetime_types)
        walk.node(self._registry.initial, None, document, "")
        return Dataset(walk.quads, walk.datetimes)


__all__ = ["XSD_STRING", "Dataset", "PinnedExpansion", "Unsupported"]
