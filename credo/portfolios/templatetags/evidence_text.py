"""A learner's written evidence on a page: the one place a portfolio's HTML is marked safe
(docs/decisions/0013); and a link item's address, drawn as a link only if it is a web address."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString, mark_safe

from credo.portfolios.services.sanitising import LINK_SCHEMES, sanitise_html

register = template.Library()

# After sanitising, a heading tag is exactly <h2>, <h3> or <h4> (no attributes survive), so this finds them all.
_HEADING = re.compile(r"<(/?)h([2-4])>")


@register.filter
def evidence_html(stored: str, below: int = 0) -> SafeString:
    """Text items are sanitised when saved; they are cleaned again here, so that a row written some other way (an
    import, a fixture, a future bug) still cannot put a script on a learner's, facilitator's or assessor's page.

    ``below``: how many levels to lower the writer's headings, so that writing shown under the page's own h3 keeps
    the headings in order (an h2 in the text becomes an h4 there); never past h6.
    """
    clean = sanitise_html(stored or "")
    if below:
        clean = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + below)}>", clean)
    return mark_safe(clean)  # noqa: S308 - nh3 has just cleaned it to the allow list


@register.filter
def web_link(url: str) -> str:
    """The address if its scheme is one a link may have (the service checks on the way in), else "": a
    ``javascript:`` address written into the database some other way is never drawn as a link."""
    return url if urlsplit(url or "").scheme.lower() in LINK_SCHEMES else ""
