"""The JSON API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json and docs at /api/v1/docs.

Refusals read the same as on the pages: a service's ValidationError becomes a 422
listing every problem; a PermissionDenied a 403 with its reason; an object the
caller may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as InputError
from ninja.types import DictStrAny

from credo.api_errors import DocumentedRefusals, describe
from credo.assessment.api import router as assessment_router
from credo.catalogue.api import router as catalogue_router
from credo.core.api import router as jobs_router
from credo.credentials.api import router as credentials_router
from credo.portfolios.api import router as portfolios_router
from credo.programmes.api import router as programmes_router


class CredoAPI(NinjaAPI):
    """ninja's API, whose OpenAPI document lists every operation's refusals, all of the one Error shape."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedRefusals(self, path_prefix)


api = CredoAPI(
    title="credo API",
    version="1",
    description=(
        "The catalogue (qualifications, units, rules of combination, progression) and the verifiable "
        "credentials (achievements, attainments, credentials, revocation, verification) of a credo installation. "
        "Reading published entries needs no sign-in; changes need a signed-in session of a programme admin "
        "of the owning organisation, and a CSRF token."
    ),
    urls_namespace="api",
    # Swagger UI's stylesheet draws its small icons (a select's arrow) as data: images: allowed on the docs alone.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)
api.add_router("/catalogue", catalogue_router)
api.add_router("/credentials", credentials_router)
api.add_router("/programmes", programmes_router)
api.add_router("/portfolios", portfolios_router)
api.add_router("/jobs", jobs_router)
api.add_router("/assessment", assessment_router)


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {message}" if field != "__all__" else message
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    return list(error.messages)


@api.exception_handler(ValidationError)
def refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = _messages(error)
    return api.create_response(
        request, {"detail": problems[0] if problems else "Invalid input.", "problems": problems}, status=422
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "You may not do this."}, status=403)


@api.exception_handler(InputError)
def malformed(request: HttpRequest, error: InputError) -> HttpResponse:
    """Input that does not fit the schema: each problem names where it is, e.g. 'query.limit: …'."""
    problems = [describe(e) for e in error.errors]
    return api.create_response(
        request, {"detail": problems[0] if problems else "Invalid input.", "problems": problems}, status=422
    )
