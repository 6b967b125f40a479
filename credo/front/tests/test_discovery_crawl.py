"""A visitor finds the open intake and the seed's 2024 cohort from the home page, by links alone.

An anonymous crawl from `/` that follows only this site's `<a href>` links, as a person clicking would: no address
typed in. It must reach the 2024 cohort's page (its fees and workshops) and the open intake's registration page.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from credo.front.demo import load_demo

COHORT_2024 = "/programmes/inspiring-communities/cld-facilitation/2024/"
REGISTER_NEXT = "/programmes/inspiring-communities/cld-facilitation/next/register/"
#: Enough for every public page of the demo; the crawl stops as soon as it has found both.
MAX_PAGES = 400
HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')


def same_site_links(page: str) -> list[str]:
    links = []
    for href in HREF.findall(page):
        address, _ = urldefrag(href.replace("&amp;", "&"))
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or not address.startswith("/"):
            continue  # another site, a mailto:, or a fragment of this page
        links.append(address)
    return links


def crawl(client: Client, start: str, wanted: set[str]) -> dict[str, str]:
    """Breadth first from ``start``; for each wanted address found, the page that linked to it."""
    seen, found = {start}, {}
    queue = deque([start])
    while queue and len(seen) <= MAX_PAGES and not wanted <= found.keys():
        address = queue.popleft()
        response = client.get(address)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for link in same_site_links(response.content.decode()):
            if link in wanted:
                found.setdefault(link, address)
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return found


@pytest.mark.django_db
def test_an_anonymous_visitor_reaches_the_2024_cohort_and_the_open_intakes_register_page_from_home(
    client: Client,
) -> None:
    load_demo()

    found = crawl(client, "/", {COHORT_2024, REGISTER_NEXT})

    assert found.keys() == {COHORT_2024, REGISTER_NEXT}, f"reached only {found}"
    page = client.get(COHORT_2024).content.decode()
    assert "<h2>Fees</h2>" in page
    assert "<h2>Workshops</h2>" in page
    assert "Exploring community-led development frameworks" in page
