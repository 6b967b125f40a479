"""A learner signs in, browses the catalogue, opens a qualification and checks what they still need."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from credo.front.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_a_learner_signs_in_browses_and_checks_progression(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/accounts/login/")
    page.get_by_label("Email").fill("learner@riverside.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    # Their home shows what they hold (the demo gives them the SEG Award's and Certificate's units).
    expect(page.get_by_role("heading", name="Your credentials")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", name="Catalogue", exact=True)).to_be_visible()
    page.get_by_role("searchbox").fill("603/1942/2")
    # htmx replaces the results as the learner types.
    results = page.locator("#results")
    expect(results.get_by_role("link", name="SEG Awards Level 3 Certificate in Community Organising")).to_be_visible()
    expect(results.get_by_role("link", name="SEG Awards Level 2 Award in Community Organising")).to_have_count(0)

    results.get_by_role("link", name="SEG Awards Level 3 Certificate in Community Organising").click()
    expect(page.get_by_role("heading", name="SEG Awards Level 3 Certificate in Community Organising")).to_be_visible()
    for code in ("J/615/8322", "D/615/8309", "L/615/8323", "Y/615/8325"):
        expect(page.get_by_role("link", name=code)).to_be_visible()
    expect(page.get_by_text("Contains sample content")).to_be_visible()

    page.get_by_role("link", name="Check what you still need").click()
    # The units their credentials show are ticked already; untick the Certificate's own to see what it would need.
    expect(page.get_by_text("We have ticked the 9 units your credentials show you hold.")).to_be_visible()
    for code in ("F/615/8318", "L/615/8306", "A/615/8320", "T/615/8316", "R/615/8310", "Y/615/8325"):
        page.get_by_label(re.compile(code)).uncheck()
    for code in ("J/615/8322", "D/615/8309", "L/615/8323"):
        expect(page.get_by_label(re.compile(code))).to_be_checked()
    answer = page.locator("#progression-results")
    expect(answer.get_by_text("Complete: your units meet every rule of combination.")).to_be_visible()
    certificate = answer.locator("section", has_text="Level 3 Certificate")
    expect(certificate.get_by_text("6 more units needed: all of those listed.")).to_be_visible()
    expect(certificate.locator("li.todo")).to_have_count(6)


def test_the_catalogue_is_usable_at_320_pixels_wide(page: Page, live_demo: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_demo.url}/catalogue/qualifications/603-1942-2/v1/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"the page scrolls sideways: {scroll_width}px wide"


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/catalogue/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
