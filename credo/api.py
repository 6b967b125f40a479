"""The JSON API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="credo API",
    version="1",
    description="Catalogue, programmes and credentials of a credo installation.",
    urls_namespace="api",
)
