"""The portfolios API, under /api/v1/portfolios/.

Importing the endpoint modules registers their operations on the shared router.
"""

from credo.portfolios.api import learner  # noqa: F401 - registers the learner's endpoints
from credo.portfolios.api.router import router

__all__ = ["router"]
