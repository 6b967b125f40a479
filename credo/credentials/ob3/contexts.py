"""The JSON-LD contexts credo understands, loaded from files shipped with the code.

A credential platform must never fetch a context at run time (a changed or
unreachable context would change or break every signature), so the only
contexts are the pinned files in ``contexts/``, listed in ``manifest.json``.
The files are kept byte for byte as published: an oddity in one is part of the
standard everyone signs against, not something to fix here.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from credo.credentials.ob3.errors import CredentialError

CONTEXT_DIR = Path(__file__).parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


@cache
def _contexts() -> dict[str, Any]:
    manifest = json.loads((CONTEXT_DIR / "manifest.json").read_text(encoding="utf-8"))
    return {url: json.loads((CONTEXT_DIR / name).read_text(encoding="utf-8")) for url, name in manifest.items()}


def known_context_urls() -> frozenset[str]:
    return frozenset(_contexts())


def context_document(url: str) -> Any:
    """The pinned context for ``url``; the same object every time (callers must not change it)."""
    try:
        return _contexts()[url]
    except KeyError:
        raise CredentialError(
            f"Unknown JSON-LD context {url!r}: credo only reads the contexts it ships with "
            f"({', '.join(sorted(_contexts()))})."
        ) from None


@cache
def pinned_object_ids() -> frozenset[int]:
    """The ids of every JSON object inside the pinned contexts.

    The JSON-LD processor caches processed scoped contexts by these ids. That is
    only safe because these objects live (and stay unchanged) for the life of
    the process, so an id can never be reused by another object.
    """
    ids: set[int] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            ids.add(id(value))
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for document in _contexts().values():
        collect(document)
    return frozenset(ids)
