"""Credentials endpoints of the JSON API: the same access helpers and services as the pages.

Importing the endpoint modules registers their operations on the shared router.
"""

from credo.credentials.api import bulk, records, verifying
from credo.credentials.api.router import router

__all__ = ["bulk", "records", "router", "verifying"]
