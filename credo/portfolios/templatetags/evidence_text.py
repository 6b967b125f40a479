"""A learner's written evidence on a page: the one place a portfolio's HTML is marked safe."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from credo.portfolios.services.sanitising import sanitise_html

register = template.Library()


@register.filter
def evidence_html(stored: str) -> SafeString:
    """Text items are sanitised when saved; they are cleaned again here, so that a row written some other way (an
    import, a fixture, a future bug) still cannot put a script on a learner's, facilitator's or assessor's page."""
    return mark_safe(sanitise_html(stored))  # noqa: S308 - nh3 has just cleaned it to the allow list
