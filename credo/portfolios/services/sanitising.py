"""Learners' text is sanitised on the way in (nh3, the ammonia library): facilitators and assessors read it."""

from __future__ import annotations

import html
import re

import nh3

# Headings start at h2: the page's own title is the h1. Anything else (scripts, styles, images, tables,
# every attribute but a link's href) is dropped; a tag's text stays unless it is a script or style.
ALLOWED_TAGS = frozenset({"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "b", "em", "i", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

_TAG = re.compile(r"<[^>]*>")


def sanitise_html(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def word_count(clean_html: str) -> int:
    """Words as a reader counts them: tags separate words (so '<p>a</p><p>b</p>' is two), entities are text."""
    return len(html.unescape(_TAG.sub(" ", clean_html)).split())
