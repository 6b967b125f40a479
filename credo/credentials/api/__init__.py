"""Credentials endpoints of the JSON API: the same access helpers and services as the pages.

Importing the endpoint modules registers their operations on the shared router.
"""

from credo.credentials.api import records, verifying
from credo.credentials.api.router import router

__all__ = ["records", "router", "verifying"]
