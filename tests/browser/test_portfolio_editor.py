"""The portfolio's writing editor in a real browser: a toolbar that formats, a word count that follows the typing,
autosave with a visible "Saved at", and a second window's stale save refused with a clear message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from credo.front.demo import DEMO_PASSWORD
from credo.portfolios.models import EvidenceItem
from credo.programmes.models import Enrolment, EnrolmentState

pytestmark = pytest.mark.django_db(transaction=True)

LEARNER = "mei.zhao@inspiring.example"  # the demo's 2024 learner half way through her portfolio


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(LEARNER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_learner_writes_with_the_toolbar_autosaves_and_a_stale_window_is_told(
    live_demo: Any, page: Page, browser: Browser
) -> None:
    base = live_demo.url
    enrolment = Enrolment.objects.get(learner__email=LEARNER, state=EnrolmentState.ACTIVE)
    sign_in(page, base)
    page.goto(f"{base}/programmes/my/{enrolment.pk}/")
    page.get_by_role("link", name="Your portfolio").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    page.locator("ol.portfolio-sections h3 a").first.click()

    page.get_by_label("Title:", exact=True).first.fill("Where I started")
    editor = page.get_by_role("textbox", name="Your writing")
    editor.click()
    page.get_by_role("button", name="Heading", exact=True).click()
    page.keyboard.type("Who I am")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bold", exact=True).click()
    page.keyboard.type("Community organiser")
    page.get_by_role("button", name="Save and keep writing").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Where I started")
    item = EvidenceItem.objects.get(title="Where I started", portfolio__enrolment=enrolment)
    assert "<h2>Who I am</h2>" in item.html
    assert re.search(r"<(b|strong)>Community organiser</\1>", item.html)

    # Typing autosaves a few seconds after it stops; the count of words follows the typing.
    page.get_by_role("textbox", name="Your writing").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" in Porirua since 2015")
    expect(page.locator("[data-word-count]")).to_contain_text("9 words written")
    state = page.locator("[data-save-state]")
    expect(state).to_have_attribute("aria-live", "polite")
    expect(state).to_have_text("Not saved yet: it saves when you stop typing.")
    expect(state).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"), timeout=10_000)
    item.refresh_from_db()
    assert item.version == 2
    assert "in Porirua since 2015" in item.html

    # A second window saves; this one, still on version 2, is refused and says so, and nothing is overwritten.
    other = page.context.new_page()
    other.goto(page.url)
    other.get_by_role("textbox", name="Your writing").click()
    other.keyboard.press("Control+End")
    other.keyboard.type(" and Wellington")
    other.get_by_role("button", name="Save", exact=True).click()
    expect(other.get_by_role("status")).to_contain_text("Saved at")
    page.bring_to_front()
    page.get_by_role("textbox", name="Your writing").click()
    page.keyboard.type(" (stale)")
    expect(state).to_contain_text("This was changed in another tab or window at", timeout=10_000)
    item.refresh_from_db()
    assert "and Wellington" in item.html
    assert "(stale)" not in item.html

    other.get_by_role("link", name="Every saved version of this writing").click()
    other.get_by_role("link", name="Version 1", exact=True).click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Version 1 of Where I started")
    expect(other.locator(".evidence-text")).not_to_contain_text("Porirua")


def test_a_learner_uploads_maps_reads_the_gap_matrix_shares_and_removes(
    live_demo: Any, page: Page, tmp_path: Path
) -> None:
    base = live_demo.url
    enrolment = Enrolment.objects.get(learner__email=LEARNER, state=EnrolmentState.ACTIVE)
    sign_in(page, base)
    page.goto(f"{base}/portfolios/my/{enrolment.pk}/sections/4/")
    agenda = tmp_path / "agenda.pdf"
    agenda.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    page.get_by_label("File:").set_input_files(str(agenda))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("“agenda.pdf” is uploaded.")

    page.get_by_role("link", name="Map to competencies for agenda.pdf").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Save the mapping").click()
    expect(page.get_by_role("status")).to_contain_text("is mapped to 1 of")

    page.goto(f"{base}/portfolios/my/{enrolment.pk}/gaps/")
    expect(page.locator(".done")).to_have_count(1)
    page.get_by_role("link", name="Show only those not covered").click()
    expect(page.locator(".done")).to_have_count(0)

    page.goto(f"{base}/portfolios/my/{enrolment.pk}/sections/4/")
    page.get_by_role("button", name="Share in my credential").click()  # htmx: the form is swapped in place
    expect(page.get_by_role("status").filter(has_text="Shared in your credential")).to_be_visible()
    page.get_by_role("link", name="Remove agenda.pdf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove “agenda.pdf”?")
    page.get_by_role("button", name="Remove “agenda.pdf”").click()
    expect(page.get_by_role("status")).to_contain_text("is removed from your portfolio")
    assert not EvidenceItem.objects.filter(portfolio__enrolment=enrolment, original_name="agenda.pdf").exists()
