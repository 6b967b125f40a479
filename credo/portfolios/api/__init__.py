"""The portfolios API, under /api/v1/portfolios/.

Importing the endpoint modules registers their operations on the shared router.
"""

from credo.portfolios.api import attestations, learner, staff, submissions
from credo.portfolios.api.router import router

__all__ = ["attestations", "learner", "router", "staff", "submissions"]
