"""Programmes endpoints of the JSON API: the same access helpers and services as the pages.

Importing the endpoint modules registers their operations on the shared router.
"""

from credo.programmes.api import (
    bookings,
    enrolments,
    intakes,
    learners,
    pages,
    public,
    roster,
    sessions,
    setup,
    slots,
    support,
)
from credo.programmes.api.router import router

__all__ = [
    "bookings",
    "enrolments",
    "intakes",
    "learners",
    "pages",
    "public",
    "roster",
    "router",
    "sessions",
    "setup",
    "slots",
    "support",
]
