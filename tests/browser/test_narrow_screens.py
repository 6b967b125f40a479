"""Staff pages that once scrolled sideways on a 320 px phone: the issuer's pages and an organisation's members."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from credo.front.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("admin@otago.example", "/issuing/otago-polytechnic/"),
        ("admin@otago.example", "/issuing/otago-polytechnic/credentials"),
        ("admin@inspiring.example", "/organisations/inspiring-communities/members/"),
    ],
)
def test_a_staff_page_fits_a_320_px_screen(live_demo: Any, browser: Browser, email: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_demo.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        response = page.goto(live_demo.url + path)
        assert response is not None
        assert response.ok, response.status
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways"
    finally:
        context.close()
