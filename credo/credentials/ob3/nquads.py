"""RDF quads as canonical N-Quads text, and RDFC-1.0 canonicalization of them.

A quad here is four strings, each a term already written the way canonical
N-Quads writes it (``<iri>``, ``_:label``, ``"literal"^^<datatype>``), the
graph being ``""`` for the default graph. Writing terms once, as text, is what
lets RDFC-1.0 run in plain Python at the speed signing needs.

RDFC-1.0 labels blank nodes by hashing what surrounds each one. When every
blank node's own quads tell it apart ("first degree" hashes), that is the whole
algorithm; where some look alike, their neighbourhoods are hashed ("N-degree"),
which is also done here while it involves no choice between equals. The rest
(large symmetric groups, ties that only the order of trying would settle) is
handed to oxigraph's implementation, so the result is always oxigraph's.
https://www.w3.org/TR/rdf-canon/#canon-algorithm
"""

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterable

import pyoxigraph as ox

from credo.credentials.ob3.errors import DocumentRejected

# subject, predicate, object, graph name ("" for the default graph), each as canonical N-Quads text
Quad = tuple[str, str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

# Canonical N-Quads escapes in literals: the short escapes where N-Quads has one, \uXXXX (upper-case
# hex) for the other C0 controls and DEL, everything else as itself (pitfall 3).
# https://www.w3.org/TR/rdf12-n-quads/#canonical-quads
_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F]} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


_TO_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')  # what _LITERAL_ESCAPES changes


def iri(value: str) -> str:
    """An IRI term; the caller has checked it is a valid absolute IRI."""
    return f"<{value}>"


def literal(lexical: str, datatype: str) -> str:
    """A typed literal (xsd:string is left implicit, as canonical N-Quads does)."""
    quoted = '"' + (lexical.translate(_LITERAL_ESCAPES) if _TO_ESCAPE.search(lexical) else lexical) + '"'
    return quoted if datatype == XSD_STRING else f"{quoted}^^<{datatype}>"


def is_blank(term: str) -> bool:
    return term.startswith("_:")


def _line(subject: str, predicate: str, value: str, graph: str) -> str:
    return f"{subject} {predicate} {value} {graph} .\n" if graph else f"{subject} {predicate} {value} .\n"


class _TooHard(Exception):  # noqa: N818 - a signal to hand the dataset to oxigraph
    """Labels would depend on choices this implementation does not make the way oxigraph does, or take long."""


_MAX_PERMUTED = 5  # blank nodes permuted at once here (5! = 120 orders); larger groups go to oxigraph
_MAX_N_DEGREE = 500  # N-degree hashes computed here before handing the dataset to oxigraph


class _Issuer:
    """RDFC-1.0 4.3, an identifier issuer: labels in the order the nodes were first met."""

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = dict(issued or {})

    def issue(self, node: str) -> str:
        label = self.issued.get(node)
        if label is None:
            label = self.issued[node] = f"{self.prefix}{len(self.issued)}"
        return label

    def copy(self) -> "_Issuer":
        return _Issuer(self.prefix, self.issued)


class Canonicalization:
    """RDFC-1.0 over one dataset, in two steps so the caller can check limits in between.

    Building it groups the quads by blank node and hashes each node's first-degree
    quads (linear in the dataset); ``nquads`` then labels the nodes, running the
    N-degree hashing only where first-degree hashes tie, and writes the result.
    https://www.w3.org/TR/rdf-canon/#canon-algorithm
    """

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.dataset = set(quads)
        self.mentions: dict[str, list[Quad]] = {}
        for quad in self.dataset:
            subject, _, value, graph = quad  # a predicate is never a blank node
            if subject[0] == "_":
                self.mentions.setdefault(subject, []).append(quad)
            if value[0] == "_" and value != subject:
                self.mentions.setdefault(value, []).append(quad)
            if graph[:1] == "_" and graph not in (subject, value):
                self.mentions.setdefault(graph, []).append(quad)
        self.first_degree = {node: _first_degree_hash(node, quads) for node, quads in self.mentions.items()}
        self._canonical = _Issuer("_:c14n")
        self._n_degree_runs = 0

    @property
    def blank_nodes(self) -> int:
        return len(self.mentions)

    def tied_blank_nodes(self) -> set[str]:
        """The blank nodes whose first-degree hash another blank node shares: only those can look alike."""
        counts = Counter(self.first_degree.values())
        return {node for node, digest in self.first_degree.items() if counts[digest] > 1}

    def nquads(self) -> str:
        """The canonical N-Quads: sorted by code point (pitfall 4), one line per quad, "\\n" only (pitfall 5)."""
        try:
            labels = self._labels()
        except _TooHard:
            return _canonical_by_oxigraph(self.dataset)
        return "".join(
            sorted(_line(labels.get(s, s), p, labels.get(o, o), labels.get(g, g)) for s, p, o, g in self.dataset)
        )

    def _labels(self) -> dict[str, str]:
        """RDFC-1.0 4.4.3 steps 3 to 5."""
        by_hash: dict[str, list[str]] = {}
        for node, digest in self.first_degree.items():
            by_hash.setdefault(digest, []).append(node)
        for digest in sorted(by_hash):
            if len(by_hash[digest]) == 1:
                self._canonical.issue(by_hash[digest][0])
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                continue
            results = []
            for node in nodes:
                if node in self._canonical.issued:
                    continue
                issuer = _Issuer("_:b")
                issuer.issue(node)
                results.append(self._hash_n_degree(node, issuer))
            digests = [digest for digest, _ in results]
            for digest, issuer in results:
                if digests.count(digest) > 1 and not all(map(self._leaf, issuer.issued)):
                    raise _TooHard("two nodes with the same N-degree hash: their order would decide the labels")
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for node in issuer.issued:
                    self._canonical.issue(node)
        return self._canonical.issued

    def _leaf(self, node: str) -> bool:
        """Whether no other blank node shares a quad with ``node``.

        Leaves that tie are copies of each other (the same quads, but for their own
        label), so whichever gets the lower label, the canonical N-Quads are the same.
        """
        return all(term == node or term[:1] != "_" for quad in self.mentions[node] for term in quad)

    def _hash_related(self, related: str, predicate: str, issuer: _Issuer, position: str) -> str:
        """RDFC-1.0 4.7, Hash Related Blank Node."""
        identifier = self._canonical.issued.get(related) or issuer.issued.get(related) or self.first_degree[related]
        data = position + identifier if position == "g" else position + predicate + identifier
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def _hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """RDFC-1.0 4.8, Hash N-Degree Quads; raises _TooHard where a choice between equals would be needed."""
        self._n_degree_runs += 1
        if self._n_degree_runs > _MAX_N_DEGREE:
            raise _TooHard("too many N-degree hashes")
        related_by_hash: dict[str, list[str]] = {}
        for subject, predicate, value, graph in self.mentions[node]:
            for term, position in ((subject, "s"), (value, "o"), (graph, "g")):
                if term[:1] == "_" and term != node:
                    related_by_hash.setdefault(self._hash_related(term, predicate, issuer, position), []).append(term)
        data = hashlib.sha256()
        for digest in sorted(related_by_hash):
            related = related_by_hash[digest]
            if len(related) > _MAX_PERMUTED or len(set(related)) < len(related):
                raise _TooHard("a large or repeated group of related blank nodes")
            data.update(digest.encode("utf-8"))
            chosen_path = ""
            chosen_issuer = issuer
            for permutation in itertools.permutations(sorted(related)):
                path, candidate = self._path(permutation, issuer, chosen_path)
                if candidate is None:
                    continue
                if chosen_path and path == chosen_path:
                    raise _TooHard("two orders of related nodes give the same path")
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, candidate
            data.update(chosen_path.encode("utf-8"))
            issuer = chosen_issuer
        return data.hexdigest(), issuer

    def _path(self, permutation: tuple[str, ...], issuer: _Issuer, chosen: str) -> tuple[str, _Issuer | None]:
        """RDFC-1.0 4.8.3 step 5.4 for one permutation; no issuer when the path cannot beat ``chosen``."""
        issuer = issuer.copy()
        path = ""
        recursion = []
        for related in permutation:
            canonical = self._canonical.issued.get(related)
            if canonical is not None:
                path += canonical
            else:
                if related not in issuer.issued:
                    recursion.append(related)
                path += issuer.issue(related)
            if chosen and len(path) >= len(chosen) and path > chosen:
                return path, None
        for related in recursion:
            digest, deeper = self._hash_n_degree(related, issuer)
            path += issuer.issue(related) + f"<{digest}>"
            issuer = deeper
            if chosen and len(path) >= len(chosen) and path > chosen:
                return path, None
        return path, issuer


def canonical_nquads(quads: Iterable[Quad]) -> str:
    """The RDFC-1.0 canonical N-Quads of the dataset made of ``quads`` (duplicates count once)."""
    return Canonicalization(quads).nquads()


def _first_degree_hash(node: str, quads: list[Quad]) -> str:
    """RDFC-1.0 4.6: the node itself written _:a, every other blank node _:z."""

    def relabel(term: str) -> str:
        if term[:1] != "_":
            return term
        return "_:a" if term == node else "_:z"

    lines = sorted(_line(relabel(s), p, relabel(o), relabel(g)) for s, p, o, g in quads)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _canonical_by_oxigraph(dataset: set[Quad]) -> str:
    text = "".join(_line(*quad) for quad in dataset)
    try:
        parsed = ox.Dataset(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as error:
        raise DocumentRejected([f"not valid RDF: {error}"]) from error
    parsed.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted(f"{quad} .\n" for quad in parsed))
