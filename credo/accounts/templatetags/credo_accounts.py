"""Template helpers for the sign-in and sign-up pages."""

from __future__ import annotations

from typing import Any

from django import template

from credo.accounts import destinations

register = template.Library()


@register.simple_tag(takes_context=True)
def destination(context: dict[str, Any]) -> str | None:
    """Where the person is heading ("register for X"), from the page's ``next``, or None."""
    return destinations.describe(destinations.next_from(context.get("request")))
