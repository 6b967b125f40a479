"""The assessment API, under /api/v1/assessment/: one module per stage, each adding to the shared router."""

from credo.assessment.api import assessing, claims, moderation, pipeline, ratification  # noqa: F401 - their endpoints
from credo.assessment.api.router import router

__all__ = ["router"]
