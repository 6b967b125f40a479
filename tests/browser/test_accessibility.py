"""axe-core checks every page the browser suite visits (see conftest.py); here, that the check bites,
and the pages no journey reaches by itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AccessibilityError, check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_serious_problem_fails_the_test_naming_the_rule_the_page_and_the_element(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/catalogue/")
    check_accessibility(page)  # clean as served
    # An image without a text alternative (critical), as a careless template change would add.
    page.evaluate(
        "() => { const img = document.createElement('img'); img.id = 'careless';"
        " img.src = '/static/credo/favicon.svg'; document.querySelector('main').append(img); }"
    )
    with pytest.raises(AccessibilityError) as failure:
        check_accessibility(page)
    report = str(failure.value)
    assert "image-alt (critical)" in report
    assert f"{live_demo.url}/catalogue/" in report
    assert "#careless" in report
    page.evaluate("() => document.getElementById('careless').remove()")


def test_the_api_docs_pass_axe_once_swagger_has_drawn_them(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("credo API")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()  # drawn from local files, no CDN
    check_accessibility(page)


def test_a_refused_form_focuses_its_summary_says_error_in_the_title_and_links_to_the_field(
    page: Page, live_demo: Any
) -> None:
    page.goto(f"{live_demo.url}/accounts/login/")
    page.get_by_label("Email").fill("learner@inspiring.example")
    page.get_by_label("Password").fill("credo-demo-pass")
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_demo.url}/organisations/profile/")
    page.get_by_label("Your full name").fill("")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Your full name")).to_be_focused()
    # Put right, the result is what comes first and has focus.
    page.get_by_label("Your full name").fill("Leilani Fa'amausili")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page).not_to_have_title(re.compile(r"^Error"))
