"""How the JSON API refuses: the words for input it cannot accept (shared by every app's endpoints), and the one
error shape every refusal has, documented in the OpenAPI document for every operation that can answer with it."""

from __future__ import annotations

import json
from typing import Any

from ninja import NinjaAPI, Schema
from ninja.constants import NOT_SET
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.types import DictStrAny
from pydantic import Field

#: Text without NUL characters (which PostgreSQL cannot store); used as a schema pattern.
NUL_FREE = r"^[^\x00]*$"


def describe(error: dict[str, Any]) -> str:
    """One pydantic error as 'where: what', in plain words where the default is cryptic."""
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NUL_FREE:
        message = "must not contain NUL characters"
    return f"{where}: {message}"


class Error(Schema):
    """What every refusal of the API says: one shape for every 4xx answer (except a 409's, which adds the
    current version), documented once and referenced by every operation that can answer with it."""

    detail: str = Field(description="What went wrong, in words for people; the first problem when there are several.")
    problems: list[str] = Field(
        default_factory=list,
        description="On 400 and 422: every problem with the input, each as 'where: what' when it is about one field.",
    )


ERROR_REF = {"$ref": "#/components/schemas/Error"}

#: Why each refusal happens, as the document says it.
REFUSALS: dict[int, str] = {
    400: "The request body could not be read (not JSON, or not what its content type says).",
    401: "Not signed in: this needs a signed-in session.",
    403: "Refused: your role does not allow this, or the CSRF token is missing or wrong.",
    404: "Not found, or not yours to see.",
    422: "The input was not accepted: 'problems' lists every problem.",
    429: "Too many requests: wait a minute and try again.",
}

_BODY_SOURCES = {"body", "form", "file"}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def refusals_of(operation: Operation) -> set[int]:
    """The refusals an operation can answer with, read from how it is declared.

    Input of any kind can be refused (422), and a body that cannot be parsed too (400); a signed-in operation
    refuses callers who are not (401) and, when it changes something, a request without the CSRF token (403);
    an address naming an object answers 404 when there is none the caller may see; a throttled operation 429.
    Codes the operation declares itself (a 403 from a permission check) are kept.
    """
    sources = {model.__ninja_param_source__ for model in operation.models}
    codes = {code for code in operation.response_models if isinstance(code, int) and code in REFUSALS}
    if sources:
        codes.add(422)
    if sources & _BODY_SOURCES:
        codes.add(400)
    if "path" in sources:
        codes.add(404)
    if operation.auth_callbacks:
        codes.add(401)
        if set(operation.methods) - _SAFE_METHODS:
            codes.add(403)
    if operation.throttle_objects:
        codes.add(429)
    return codes


class DocumentedRefusals(OpenAPISchema):
    """The OpenAPI document, with every operation's refusals referring to the one Error schema."""

    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        super().__init__(api, path_prefix)
        self["components"]["schemas"]["Error"] = Error.model_json_schema(mode="serialization")
        # The per-app copies of the error shape (Message, Problems) are no longer referred to.
        text = json.dumps(self["paths"])
        for name in [name for name in self["components"]["schemas"] if name in _ERROR_SHAPES]:
            if f"#/components/schemas/{name}" not in text:
                del self["components"]["schemas"][name]

    def responses(self, operation: Operation) -> dict[int, DictStrAny]:
        result = super().responses(operation)
        for code in sorted(refusals_of(operation)):
            declared = operation.response_models.get(code)
            if declared in (None, NOT_SET) or _is_error_shape(declared):
                result[code] = {
                    "description": REFUSALS[code],
                    "content": {self.api.renderer.media_type: {"schema": ERROR_REF}},
                }
        return dict(sorted(result.items()))


_ERROR_SHAPES = {"Message", "Problems"}


def _is_error_shape(model: Any) -> bool:
    """A response model that is the error shape under another name ({detail} or {detail, problems})."""
    fields = getattr(model, "model_fields", {})
    inner = fields.get("response")  # ninja wraps each response model in a one-field model
    target = getattr(inner, "annotation", None)
    return getattr(target, "__name__", None) in _ERROR_SHAPES and set(getattr(target, "model_fields", {})) <= {
        "detail",
        "problems",
    }
