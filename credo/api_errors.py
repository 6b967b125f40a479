"""How the JSON API words input it cannot accept (shared by every app's endpoints)."""

from __future__ import annotations

from typing import Any

#: Text without NUL characters (which PostgreSQL cannot store); used as a schema pattern.
NUL_FREE = r"^[^\x00]*$"


def describe(error: dict[str, Any]) -> str:
    """One pydantic error as 'where: what', in plain words where the default is cryptic."""
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NUL_FREE:
        message = "must not contain NUL characters"
    return f"{where}: {message}"
