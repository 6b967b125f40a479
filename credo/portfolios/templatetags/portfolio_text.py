"""``{{ item.html|evidence_html }}``: a learner's text, sanitised again as it is drawn (docs/decisions/0013); and
``{{ item.url|web_link }}``: a link item's address, only if it is a web address.

The services sanitise text on the way in; drawing it through the same sanitiser again means that HTML which reached
the database some other way (a data migration, the operator's admin, a bug) still cannot run a script on a
facilitator's or assessor's page. nh3 leaves clean HTML as it is, and is fast.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString, mark_safe

from credo.portfolios.services.sanitising import LINK_SCHEMES, sanitise_html

register = template.Library()


#: A heading tag as the sanitiser leaves it: no attributes survive on headings, so the bare tag is all there is.
_HEADING = re.compile(r"<(/?)h([2-4])>")


@register.filter
def evidence_html(stored: str, under: int = 1) -> SafeString:
    """The text sanitised again; with ``under``, its headings moved down to sit beneath a heading of that level.

    The editor's headings start at h2 (the learner's page title is the h1). Drawn under an item's h4 on the staff
    page, ``evidence_html:4`` makes them h5 and h6, so the page's outline stays in order for screen readers.
    """
    clean = sanitise_html(stored or "")
    if under > 1:
        clean = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + under - 1)}>", clean)
    return mark_safe(clean)  # noqa: S308 - the sanitiser's output is the point of this filter


@register.filter
def web_link(url: str) -> str:
    """The address if its scheme is one a link may have (the service checks on the way in), else "": a
    ``javascript:`` address written into the database some other way is never drawn as a link."""
    return url if urlsplit(url or "").scheme.lower() in LINK_SCHEMES else ""
