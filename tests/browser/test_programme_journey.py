"""A newcomer joins the open intake of the micro-credential in a real browser, and a facilitator takes attendance.

Sign up, confirm the email, register, get the invoice; the programme admin records the payment on
the staff pages; the newcomer adds the workshops to a calendar and books both 1:1 check-ins; then
the facilitator records who came to a workshop.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from credo.front.demo import DEMO_PASSWORD
from credo.programmes.models import (
    Attendance,
    CheckInBooking,
    Cohort,
    Enrolment,
    EnrolmentState,
    Invoice,
    InvoiceState,
)
from credo.programmes.services import workshops

pytestmark = pytest.mark.django_db(transaction=True)

NEWCOMER = "hana.newcomer@example.org"
PASSWORD = "a long and unusual passphrase 42"


def sign_up_and_confirm(page: Page, base: str, next_url: str) -> None:
    page.get_by_role("link", name="create an account").click()
    page.locator("#id_email").fill(NEWCOMER)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    confirmation = next(m for m in mail.outbox if NEWCOMER in m.to and "confirm" in m.body.lower())
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(confirmation.body))
    assert link is not None, confirmation.body
    page.goto(base + "/accounts/" + link.group(0).split("/accounts/", 1)[1])
    page.get_by_role("button", name="Confirm").click()
    page.goto(next_url)


def record_the_payment_as_the_programme_admin(browser: Browser, base: str, cohort: Cohort, invoice: Invoice) -> None:
    """The provider's admin, in a browser of their own, finds the newcomer's enrolment and records the transfer."""
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    staff = context.new_page()
    staff.set_default_timeout(10_000)
    try:
        staff.goto(f"{base}/accounts/login/")
        staff.get_by_label("Email").fill("admin@inspiring.example")
        staff.get_by_label("Password").fill(DEMO_PASSWORD)
        staff.get_by_role("button", name="Sign In").click()
        staff.goto(f"{base}/dashboard/")
        staff.get_by_role("link", name=re.compile(f"Enrolments for {re.escape(str(cohort))}")).click()
        staff.get_by_role("link", name="Hana Newcomer").click()
        expect(staff.get_by_role("heading", name=f"Invoice {invoice.reference}")).to_be_visible()
        staff.get_by_label("Paid on").fill(invoice.issued_on.isoformat())
        staff.get_by_label("Payment reference").fill("Bank transfer HN-1")
        staff.get_by_role("button", name="Record payment").click()
        # A recorded payment cannot be removed: the day is shown again before it is recorded.
        expect(staff.get_by_role("heading", name=f"Record the payment of invoice {invoice.reference}?")).to_be_visible()
        staff.get_by_role("button", name="Record the payment").click()
        expect(staff.get_by_text(f"Payment of invoice {invoice.reference} recorded.")).to_be_visible()
        expect(staff.get_by_role("button", name="Record payment")).to_have_count(0)
    finally:
        context.close()


def assert_the_registration_email_carries_the_invoice(cohort: Cohort, invoice: Invoice) -> None:
    """The invoice goes with the email, as a PDF named after its reference, so the accounts team has it at once."""
    registered = [m for m in mail.outbox if NEWCOMER in m.to and m.subject == f"You are registered for {cohort}"]
    assert len(registered) == 1, [m.subject for m in mail.outbox]
    assert invoice.reference in registered[0].body
    [(filename, content, mimetype)] = registered[0].attachments
    assert filename == f"Invoice-{invoice.reference}.pdf"
    assert mimetype == "application/pdf"
    assert isinstance(content, bytes)
    assert content.startswith(b"%PDF-")


def test_a_newcomer_registers_gets_the_invoice_subscribes_and_books_both_check_ins(
    live_demo: Any, page: Page, browser: Browser
) -> None:
    base = live_demo.url
    cohort = Cohort.objects.get(programme__slug="cld-facilitation", slug="next")
    cohort_url = f"{base}/programmes/inspiring-communities/cld-facilitation/next/"
    page.goto(cohort_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Micro-credential")
    expect(page.get_by_text("649.00").first).to_be_visible()
    sign_up_and_confirm(page, base, cohort_url)

    page.get_by_role("link", name="Register").click()
    page.get_by_label("Your full name").fill("Hana Newcomer")
    page.get_by_label("Organisation you work with").fill("Porirua City Council")
    page.get_by_label("Kind of organisation").select_option("local_government")
    page.get_by_label("I already work in communities").check()
    page.get_by_label("I accept the terms of registration").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You are registered")
    expect(page.get_by_text("746.35").first).to_be_visible()  # 649.00 + 15% GST
    invoice = page.request.get(
        base + (page.get_by_role("link", name=re.compile("PDF")).first.get_attribute("href") or "")
    )
    assert invoice.ok
    assert invoice.headers["content-type"] == "application/pdf"

    enrolment = Enrolment.objects.get(cohort=cohort, learner__email=NEWCOMER)
    invoice_row = enrolment.invoices.get()
    assert invoice_row.addressed_to == "Hana Newcomer"
    assert_the_registration_email_carries_the_invoice(cohort, invoice_row)
    record_the_payment_as_the_programme_admin(browser, base, cohort, invoice_row)
    invoice_row.refresh_from_db()
    assert invoice_row.state == InvoiceState.PAID
    assert (invoice_row.paid_on, invoice_row.payment_reference) == (invoice_row.issued_on, "Bank transfer HN-1")

    page.get_by_role("link", name="Go to your study page").click()
    page.get_by_role("link", name="All workshops, and add them to your calendar").click()
    page.get_by_role("button", name="Get a calendar address").click()
    feed = page.get_by_label("Your calendar address").input_value()
    calendar = page.request.get(feed)
    assert calendar.ok
    assert calendar.text().count("BEGIN:VEVENT") == 4

    # Back to the study page (the learner's dashboard for the cohort), and on to the check-ins by its link.
    page.go_back()
    page.go_back()
    expect(page.get_by_role("heading", name="What comes next")).to_be_visible()
    page.get_by_role("link", name="Book or change a check-in").click()
    expect(page).to_have_url(re.compile(rf"/programmes/my/{enrolment.pk}/check-ins/$"))
    for _ in range(2):
        page.get_by_role("button", name="Book this time").first.click()
    assert CheckInBooking.objects.filter(enrolment=enrolment, cancelled_at__isnull=True).count() == 2
    expect(page.get_by_role("button", name="Book this time")).to_have_count(0)  # both used
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.CONFIRMED


def test_a_facilitator_records_attendance_at_a_workshop(live_demo: Any, page: Page) -> None:
    base = live_demo.url
    past = Cohort.objects.get(programme__slug="cld-facilitation", slug="2024")
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("facilitator@inspiring.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{base}/dashboard/")
    page.get_by_role("link", name=re.compile(f"Workshops and attendance for {re.escape(str(past))}")).click()
    page.get_by_role("link", name="Record attendance at workshop 2").click()
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved")).to_be_visible()
    session = past.sessions.get(number=2)
    holding_a_place = len(workshops.learners_of(past))
    assert holding_a_place == 5  # Leilani, Mei, Sina and Rangi studying; Tama waiting on fee support
    assert Attendance.objects.filter(session=session, present=True).count() == holding_a_place
