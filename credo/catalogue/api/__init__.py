"""Catalogue endpoints of the JSON API: the same access helpers and services as the pages.

Importing the endpoint modules registers their operations on the shared router.
"""

from credo.catalogue.api import editing, portfolio_templates, reading
from credo.catalogue.api.router import router

__all__ = ["editing", "portfolio_templates", "reading", "router"]
