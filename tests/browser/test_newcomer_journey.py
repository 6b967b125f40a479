"""The newcomer's path and the graduate's, by links alone, in a real browser.

A visitor starts at `/`, finds the intake open now, creates an account from its page, confirms
the email, registers and lands on their own home: their programme, their invoice, their study
page; signing out and in again brings them back home. A graduate goes from their home to their
credential and shares it. axe-core checks every page on the way (see conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from credo.credentials.models import Credential
from credo.front.demo import DEMO_PASSWORD, GRADUATE
from credo.programmes.models import Cohort, Enrolment

pytestmark = pytest.mark.django_db(transaction=True)

NEWCOMER = "rangi.newcomer@example.org"
PASSWORD = "a long and unusual passphrase 77"


def main_nav(page: Page) -> Any:
    return page.get_by_role("navigation", name="Main")


def sign_in(page: Page, email: str, password: str) -> None:
    main_nav(page).get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def confirmation_link(base: str) -> str:
    """The link in the confirmation email, on the live server's address."""
    [message] = [m for m in mail.outbox if NEWCOMER in m.to and "confirm" in str(m.subject).lower()]
    found = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(message.body))
    assert found is not None, message.body
    return base + "/accounts/" + found.group(0).split("/accounts/", 1)[1]


def test_a_newcomer_finds_the_open_intake_registers_and_always_finds_their_way_home(live_demo: Any, page: Page) -> None:
    base = live_demo.url
    intake = Cohort.objects.get(programme__slug="cld-facilitation", slug="next")
    page.goto(base + "/")

    page.get_by_role("link", name="Programmes open for registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes open for registration")
    page.get_by_role("link", name=f"{intake.programme.name}: {intake.name}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Micro-credential")

    page.get_by_role("link", name="create an account").click()
    expect(page.get_by_text(re.compile(r"register for .*" + re.escape(intake.name)))).not_to_have_count(0)
    page.get_by_label("Email").fill(NEWCOMER)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    page.goto(confirmation_link(base))  # the person follows the link in their email
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Register for {intake}")

    page.get_by_label("Your full name").fill("Rangi Newcomer")
    page.get_by_label("Organisation you work with").fill("Hutt Valley Community Trust")
    page.get_by_label("Kind of organisation").select_option("community")
    page.get_by_label("I already work in communities").check()
    page.get_by_label("I accept the terms of registration").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You are registered")
    enrolment = Enrolment.objects.get(cohort=intake, learner__email=NEWCOMER)
    invoice = enrolment.invoices.get()

    # Home: the programme in words, the invoice, the way to the study page.
    main_nav(page).get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text(re.compile(r"Registered: invoice to pay by"))).to_be_visible()
    pdf = page.get_by_role("link", name=f"Invoice {invoice.reference} (PDF)", exact=True)
    download = page.request.get(base + (pdf.get_attribute("href") or ""))
    assert download.ok
    assert download.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name=str(intake)).first.click()
    expect(page).to_have_url(re.compile(rf"/programmes/my/{enrolment.pk}/$"))

    # Signing out and in again lands on the learner's home, not an empty staff dashboard.
    main_nav(page).get_by_role("button", name="Sign out").click()
    sign_in(page, NEWCOMER, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("link", name=str(intake)).first).to_be_visible()
    expect(page.get_by_text("No roles yet")).to_have_count(0)


def test_a_graduate_goes_from_home_to_their_credential_and_shares_it(live_demo: Any, page: Page) -> None:
    base = live_demo.url
    credential = Credential.objects.filter(learner__email=GRADUATE, attainment__isnull=False).latest("issued_at")
    name = credential.attainment.achievement.name  # type: ignore[union-attr]
    page.goto(base + "/")
    sign_in(page, GRADUATE, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    button = page.get_by_role("button", name=re.compile("^Make (public|private)$"))
    was_public = credential.is_public
    button.click()
    expect(page.get_by_role("button", name="Make public" if was_public else "Make private")).to_be_visible()
    credential.refresh_from_db()
    assert credential.is_public is not was_public
