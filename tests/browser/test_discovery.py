"""A visitor finds the open intake from the home page by links alone, in a real browser; and on a phone, a
registration form sent empty puts its problems first: the summary above the fees, focused, "Error:" in the title."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from credo.front.demo import DEMO_PASSWORD
from credo.programmes.models import Cohort, Enrolment

pytestmark = pytest.mark.django_db(transaction=True)

VISITOR = "outsider@elsewhere.example"  # a demo login with no enrolment anywhere


def open_intake() -> Cohort:
    return Cohort.objects.select_related("programme").get(programme__slug="cld-facilitation", slug="next")


def test_a_visitor_finds_the_open_intake_from_home_by_links_and_filters(live_demo: Any, page: Page) -> None:
    intake = open_intake()
    page.goto(live_demo.url + "/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes open for registration")
    page.get_by_label("Region").select_option(label="Aotearoa New Zealand")
    page.get_by_label("Only intakes with every workshop online").check()
    page.get_by_role("button", name="Show intakes").click()

    expect(page).to_have_url(re.compile(r"country=NZ"))
    cards = page.locator("li.card")
    expect(cards).to_have_count(1)  # the SEG centre's intakes are in England
    expect(cards.get_by_role("link", name=re.compile(rf"^Register for .*{intake.name}"))).to_be_visible()
    cards.get_by_role("link", name=f"{intake.programme.name}: {intake.name}", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{intake.programme.name}: {intake.name}")
    expect(page.get_by_text("Registration is open until")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="sign in", exact=True).click()
    page.get_by_label("Email").fill(VISITOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Register for {intake}")
    expect(page.get_by_role("button", name="Register")).to_be_visible()


def test_on_a_phone_an_empty_registration_shows_its_problems_first_and_focused(
    live_demo: Any, browser: Browser
) -> None:
    intake = open_intake()
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_demo.url}/accounts/login/")
        page.get_by_label("Email").fill(VISITOR)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.goto(f"{live_demo.url}/programmes/inspiring-communities/cld-facilitation/next/register/")

        page.get_by_role("button", name="Register").click()

        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        assert page.title().startswith("Error: "), page.title()
        summary_box, fees_box = summary.bounding_box(), page.locator("#fees-heading").bounding_box()
        assert summary_box is not None
        assert fees_box is not None
        assert summary_box["y"] < fees_box["y"], "the summary must come before the fees"
        assert summary_box["y"] < 700, "the summary must be on the first screen"
        statement = summary.get_by_role("link", name=re.compile("I already work in communities"))
        target = statement.get_attribute("href") or ""
        expect(page.locator(target)).to_have_attribute("type", "checkbox")
        statement.click()
        expect(page.locator(target)).to_be_in_viewport()
        assert not Enrolment.objects.filter(cohort=intake, learner__email=VISITOR).exists()
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    ["/programmes/", "/programmes/?when=closed", "/programmes/inspiring-communities/cld-facilitation/"],
)
def test_the_listing_and_the_programme_page_fit_a_320_px_screen(live_demo: Any, browser: Browser, path: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_demo.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways"
    finally:
        context.close()
