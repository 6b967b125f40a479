"""What the small script adds in a real browser: workshop times in the visitor's own zone, and focus that follows
an htmx result so keyboard and screen-reader users hear what happened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from credo.front.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def london_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 800}, timezone_id="Europe/London", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_visitor_in_london_sees_workshop_times_in_their_own_zone_and_focus_follows_results(
    live_demo: Any, london_page: Page
) -> None:
    page = london_page
    base = live_demo.url
    page.goto(f"{base}/programmes/inspiring-communities/cld-facilitation/next/")
    expect(page.locator("time.local-time").first).to_contain_text("NZ")  # the cohort's own time, e.g. NZST
    # The server shows Auckland time; the browser adds London's, which is 11 to 13 hours behind.
    own_time = page.get_by_text(re.compile(r"^Your time: \w+day \d+ \w+, \d\d:\d\d .*(GMT|BST)"))
    expect(own_time.first).to_be_visible()
    assert own_time.count() == page.locator("time.local-time").count()

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("facilitator@inspiring.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{base}/dashboard/")
    page.get_by_role("link", name=re.compile("Workshops and attendance for .*2024")).click()
    page.get_by_role("link", name="Record attendance at workshop 2").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Save attendance").click()
    saved = page.get_by_role("status").filter(has_text="Attendance saved")
    expect(saved).to_be_focused()
    # Focus, not a live region around the form, announces the result: the form is not read out again.
    expect(page.locator("#attendance")).not_to_have_attribute("aria-live", "polite")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def expect_own_times_beside_each_marked_time(page: Page) -> None:
    """Every time marked for the browser gains a London time; the learner set no zone, so the server added none."""
    marked = page.locator("time.local-time")
    expect(marked.first).to_contain_text(re.compile(r"NZST|NZDT|Pacific/Auckland"))  # the cohort's own time
    own_time = page.get_by_text(re.compile(r"^Your time: \w+day \d+ \w+, \d\d:\d\d .*(GMT|BST)"))
    expect(own_time.first).to_be_visible()
    assert own_time.count() == marked.count() >= 1


def test_a_learner_in_london_sees_their_check_ins_and_workshops_in_their_own_zone(
    live_demo: Any, london_page: Page
) -> None:
    page = london_page
    sign_in(page, live_demo.url, "learner@inspiring.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My programmes").click()
    page.get_by_role("link", name=re.compile("2024")).first.click()
    study_page = page.url
    expect_own_times_beside_each_marked_time(page)  # the next workshop and the list of workshops

    page.get_by_role("link", name="Book or change a check-in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("heck-ins")
    expect_own_times_beside_each_marked_time(page)

    page.goto(study_page)
    page.get_by_role("link", name="All workshops, and add them to your calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops")
    expect_own_times_beside_each_marked_time(page)
