"""The Content-Security-Policy is checked on every page the browser suite visits (csp.py, conftest.py); here,
that the check bites, and the pages no journey reaches by itself: the API docs and the operator's admin."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from credo.front.demo import DEMO_PASSWORD, OPERATOR
from tests.browser.csp import ContentSecurityPolicyError, check_content_security_policy

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inline_style_or_script_fails_the_test_naming_the_page_and_the_directive(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/catalogue/")
    check_content_security_policy(page)  # clean as served
    # What a careless template change (or an injection) would add: a style attribute and an inline script.
    page.evaluate(
        "() => { const p = document.createElement('p'); p.innerHTML = '<span style=\"color: red\">careless</span>';"
        " document.querySelector('main').append(p);"
        " const s = document.createElement('script'); s.textContent = 'window.ran = true';"
        " document.body.append(s); }"
    )
    page.wait_for_function("() => true")  # one more round trip, so the reports have arrived
    with pytest.raises(ContentSecurityPolicyError) as failure:
        check_content_security_policy(page)
    report = str(failure.value)
    assert f"style-src-attr refused inline on {live_demo.url}/catalogue/" in report
    assert f"script-src-elem refused inline on {live_demo.url}/catalogue/" in report
    assert page.evaluate("() => window.ran") is None  # and the policy did stop it


def test_the_api_docs_work_under_the_policy(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/api/v1/docs")
    operation = page.locator("#swagger-ui .opblock").first
    expect(operation).to_be_visible(timeout=15_000)  # Swagger UI reads the whole document first
    operation.locator(".opblock-summary-control").click()  # an operation opens, with its schemas drawn
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    expect(page.locator("#swagger-ui pre.microlight").first).to_have_attribute("tabindex", "0")  # keyboard-scrollable
    check_content_security_policy(page)


def test_the_operators_admin_works_under_the_policy(page: Page, live_demo: Any) -> None:
    page.goto(f"{live_demo.url}/accounts/login/")
    page.get_by_label("Email").fill(OPERATOR.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_demo.url}/operator/")
    expect(page.get_by_role("heading", name="Platform operation")).to_be_visible()
    page.goto(f"{live_demo.url}/operator/accounts/user/")  # a list, with actions and filters
    page.get_by_role("link", name=OPERATOR.email).click()  # a change form, with its widgets' scripts
    expect(page.locator("#user_form")).to_be_visible()
    expect(page.locator("#id_groups_from")).to_be_visible()  # drawn by SelectFilter2.js
    check_content_security_policy(page)
    # Django's own change form fails axe-core (unlabelled date inputs, aria-label on spans): Django's templates,
    # not credo's, so axe is told this page is checked; the policy check above is what this test is for.
    page.evaluate("() => { window.__credoAxeChecked = true; window.__credoAxeDirty = false; }")
