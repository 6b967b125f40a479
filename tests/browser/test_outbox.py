"""The demo's outbox in a real browser: the operator reads the mail credo would have sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import Page, expect

from credo.front.demo import DEMO_PASSWORD, OPERATOR

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_operator_reads_a_message_in_the_outbox(page: Page, live_demo: Any, settings: Any, tmp_path: Path) -> None:
    settings.DEV_OUTBOX = True
    settings.EMAIL_OUTBOX_DIR = tmp_path
    settings.EMAIL_BACKEND = "credo.core.outbox.OutboxEmailBackend"
    EmailMessage(
        subject="Confirm your email address",
        body=f"Follow this link to confirm: {live_demo.url}/catalogue/",
        from_email="credo <noreply@credo.example>",
        to=["newcomer@example.org"],
    ).send()
    page.goto(f"{live_demo.url}/accounts/login/")
    page.get_by_label("Email").fill(OPERATOR.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_demo.url}/dev/outbox/")
    page.get_by_role("link", name="Confirm your email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    page.get_by_role("link", name=f"{live_demo.url}/catalogue/").click()
    expect(page).to_have_url(f"{live_demo.url}/catalogue/")
