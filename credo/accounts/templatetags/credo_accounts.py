"""Template helpers for the sign-in and sign-up pages."""

from __future__ import annotations

from typing import Any

from django import template

from credo.accounts import destinations
from credo.accounts.zones import zone_label

register = template.Library()


@register.simple_tag(takes_context=True)
def destination(context: dict[str, Any]) -> str | None:
    """Where the person is heading ("register for X"), from the page's ``next``, or None."""
    return destinations.describe(destinations.next_from(context.get("request")))


@register.filter
def place(zone_name: str) -> str:
    """A stored time zone as people read it: "Pacific/Auckland" -> "Auckland, New Zealand" (old names too)."""
    return zone_label(zone_name) if zone_name else ""
