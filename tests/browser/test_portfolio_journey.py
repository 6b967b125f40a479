"""The portfolio journey of issue 11 in a real browser, end to end.

Mei, half way through her CLD micro-credential, writes the two parts she is missing, uploads an agenda and maps it
to competencies, and asks two people for attestations. They have no account: each opens the link in the email in a
browser of their own; one writes the attestation, the other declines. Mei sees both answers in words, asks someone
else in place of the one who declined, and, with everything in, checks, declares, submits, reads the receipt with
its fingerprint and downloads the ZIP. Jordan, at the SEG centre, maps a file to his unit's assessment criteria.

axe-core checks every page on the way (tests/browser/conftest.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from credo.front.demo import DEMO_PASSWORD
from credo.portfolios.models import AttestationState, EvidenceItem, Portfolio, Submission

pytestmark = pytest.mark.django_db(transaction=True)

MEI = "mei.zhao@inspiring.example"  # the demo's 2024 learner half way: two written parts, one attestation pending
JORDAN = "learner@riverside.example"  # the SEG centre's learner, his portfolio organised by unit
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PARTICIPANT = "An attestation from a participant in the process (from a participant)"
PEER_OR_MANAGER = (
    "An attestation from a peer, mentor, supervisor or manager (from a peer, mentor, supervisor or manager)"
)
#: What Mei writes and uploads: none of it may ever be shown to an attestor.
PRIVATE = ("The garden hui taught me to wait", "Next year I will co-facilitate", "garden-hui-agenda.pdf")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def open_portfolio(page: Page) -> None:
    """From the navigation to the study page, and from there to the portfolio."""
    page.get_by_role("link", name="My programmes").first.click()
    page.get_by_role("heading", level=2).get_by_role("link").first.click()
    page.get_by_role("link", name="Your portfolio", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")


def open_section(page: Page, title: str) -> None:
    """Back to the portfolio from wherever she is, then into one of its parts."""
    page.get_by_role("link", name=re.compile(r"^(Back to )?your portfolio$", re.IGNORECASE)).first.click()
    page.get_by_role("link", name=re.compile(rf"^\d+\. {re.escape(title)}$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def write(page: Page, title: str, text: str) -> None:
    """The section's "Write something" editor: a title, the writing, then Save."""
    page.get_by_label("Title:", exact=True).first.fill(title)
    page.get_by_role("textbox", name="Your writing").click()
    page.keyboard.type(text)
    page.get_by_role("button", name="Save and keep writing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status")).to_contain_text(f"“{title}” is saved.")


def ask(page: Page, requirement: str, name: str, email: str, relationship: str) -> None:
    """The Attestations section's "Ask someone" form."""
    open_section(page, "Attestations")
    page.get_by_role("link", name="Ask someone to attest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask someone to attest")
    page.get_by_label(requirement, exact=True).check()
    page.get_by_label("Their name").fill(name)
    page.get_by_label("Their email address").fill(email)
    page.get_by_label(relationship, exact=True).check()
    message = f"Kia ora {name.split()[0]}, could you write a few lines about the garden hui?"
    page.get_by_label("Your message to them (optional)").fill(message)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text(f"We have emailed {name} a link to write the attestation.")


def link_in_email(base: str, to: str) -> str:
    """The attestation link in the one email sent to ``to``, on the live server's address."""
    [message] = [m for m in mail.outbox if to in m.to and "asks you for an attestation" in str(m.subject)]
    found = re.search(r"https?://\S+(/portfolios/attest/\S+/)", str(message.body))
    assert found is not None, message.body
    return base + found.group(1)


def never_the_portfolio(page: Page) -> None:
    for words in PRIVATE:
        expect(page.locator("body")).not_to_contain_text(words)
    expect(page.get_by_role("link", name="Your portfolio")).to_have_count(0)


def attest(browser: Browser, link: str, *, name: str, how: str, statement: str) -> None:
    """An attestor with no account: a fresh browser, no cookies, only the link."""
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    try:
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("An attestation for Mei Lin Zhao")
        never_the_portfolio(page)
        expect(page.get_by_label("Your name")).to_have_value(name)  # as Mei wrote it, to confirm or correct
        page.get_by_label("How you know them and their work").fill(how)
        page.get_by_label("Your attestation").fill(statement)
        page.get_by_label("I declare that what I have written is true").check()
        page.get_by_label("Email me a copy of my attestation").check()
        page.get_by_role("button", name="Send my attestation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        expect(page.get_by_text("a copy is on its way to your email")).to_be_visible()
        never_the_portfolio(page)
        # The link worked once: now it explains, and still shows nothing of the portfolio.
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("This request has already been answered")
        expect(page.get_by_role("button", name="Send my attestation")).to_have_count(0)
        never_the_portfolio(page)
    finally:
        context.close()


def decline(browser: Browser, link: str, reason: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(link)
        page.get_by_role("link", name="decline this request").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Decline the request from Mei Lin Zhao?")
        never_the_portfolio(page)
        page.get_by_label("Why you are declining (optional)").fill(reason)
        page.get_by_role("button", name="Decline the request").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You have declined")
        never_the_portfolio(page)
    finally:
        context.close()


def test_a_learner_builds_asks_is_attested_and_declined_submits_and_takes_her_portfolio(
    live_demo: Any, page: Page, browser: Browser, tmp_path: Path
) -> None:
    base = live_demo.url
    sign_in(page, base, MEI)
    open_portfolio(page)
    expect(page.get_by_role("link", name="Check and submit")).to_be_visible()

    # What she is missing: two written parts, a supporting document, and both attestations.
    page.get_by_role("link", name="Check and submit").click()
    expect(page.get_by_text("Not ready yet: 5 things to add before you can submit.")).to_be_visible()
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)

    open_section(page, "Critical reflections")
    write(page, "What I learned", f"{PRIVATE[0]} before speaking, and to let the group decide.")
    open_section(page, "Plan for future practice")
    write(page, "My plan", f"{PRIVATE[1]} with a rangatahi from the garden group.")

    open_section(page, "Supporting documents")
    agenda = tmp_path / PRIVATE[2]
    agenda.write_bytes(PDF)
    page.get_by_label("File:", exact=True).set_input_files(str(agenda))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{PRIVATE[2]}” is uploaded.")
    page.get_by_role("link", name=f"Map to competencies for {PRIVATE[2]}").click()
    competencies = page.get_by_role("group", name="Competencies this is evidence for").get_by_role("checkbox")
    competencies.nth(0).check()
    competencies.nth(1).check()
    page.get_by_role("button", name="Save the mapping").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{PRIVATE[2]}” is mapped to 2 of")
    item = EvidenceItem.objects.get(portfolio__enrolment__learner__email=MEI, original_name=PRIVATE[2])
    assert item.competency_mappings.count() == 2

    # Two requests: a second participant (Tom, asked earlier, has not answered) and a mentor.
    ask(page, PARTICIPANT, "Aroha Ngata", "aroha.ngata@example.org", "A participant in the work")
    ask(page, PEER_OR_MANAGER, "Wiremu Tane", "wiremu.tane@example.org", "A mentor")

    attest(
        browser,
        link_in_email(base, "aroha.ngata@example.org"),
        name="Aroha Ngata",
        how="I came to the garden hui in May.",
        statement="Mei listened first, and the group chose its own three actions.",
    )
    copy = [m for m in mail.outbox if "aroha.ngata@example.org" in m.to and "copy" in m.body]
    assert len(copy) == 1, [m.subject for m in mail.outbox]
    decline(browser, link_in_email(base, "wiremu.tane@example.org"), "I have not seen her facilitate this year.")

    # Mei reads each answer in words, where she asked.
    open_section(page, "Attestations")
    requests = page.get_by_role("region", name="Attestations")
    expect(requests.get_by_role("listitem").filter(has_text="Aroha Ngata")).to_contain_text("Received")
    expect(requests.get_by_role("listitem").filter(has_text="Wiremu Tane")).to_contain_text("Declined")
    expect(requests.get_by_role("listitem").filter(has_text="Tom Rangihuna")).to_contain_text("Waiting for a reply")
    page.get_by_role("link", name="Aroha Ngata").click()  # she reads it, locked: nothing to edit
    attestation = page.get_by_role("region", name="The attestation")
    expect(attestation).to_contain_text("Mei listened first")
    expect(attestation).to_contain_text("Locked: it cannot be changed by anyone.")
    expect(page.get_by_role("textbox")).to_have_count(0)

    # She asks her manager in place of the mentor who declined; the manager writes it.
    ask(page, PEER_OR_MANAGER, "Ngaio Parata", "ngaio.parata@example.org", "A manager")
    attest(
        browser,
        link_in_email(base, "ngaio.parata@example.org"),
        name="Ngaio Parata",
        how="I manage her team at the council.",
        statement="Mei planned the hui with the garden group and followed up every action.",
    )
    portfolio = Portfolio.objects.get(enrolment__learner__email=MEI)
    states = dict(portfolio.attestation_requests.values_list("attestor_email", "state"))
    assert states == {
        "tom.rangihuna@example.org": AttestationState.SENT,
        "aroha.ngata@example.org": AttestationState.COMPLETED,
        "wiremu.tane@example.org": AttestationState.DECLINED,
        "ngaio.parata@example.org": AttestationState.COMPLETED,
    }

    # Ready: she checks, declares, confirms, and reads the receipt with its fingerprint.
    open_portfolio(page)
    page.get_by_role("link", name="Check and submit").click()
    expect(page.get_by_text("Everything the template requires is here.")).to_be_visible()
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your portfolio?")
    page.get_by_role("button", name="Submit attempt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio is submitted")
    submission = Submission.objects.get(portfolio=portfolio, attempt=1)
    receipt = page.get_by_role("region", name="Receipt")
    fingerprint = receipt.get_by_role("code")
    expect(fingerprint).to_be_visible()
    assert re.sub(r"\W", "", fingerprint.inner_text()).lower() == submission.content_sha256

    # The ZIP is built by a background job: its page shows the progress, then the file to download.
    page.get_by_role("button", name="Download it (ZIP)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Your submission, attempt 1, as a ZIP"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download portfolio-.*\.zip$")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert "index.html" in names
        assert any(name.endswith(PRIVATE[2]) for name in names), names
        assert PRIVATE[0] in archive.read("index.html").decode()


def test_an_seg_learner_maps_a_file_to_his_units_assessment_criteria(
    live_demo: Any, page: Page, tmp_path: Path
) -> None:
    base = live_demo.url
    sign_in(page, base, JORDAN)
    open_portfolio(page)
    page.get_by_role("link", name="Evidence for F/615/8318").click()
    minutes = tmp_path / "tenants-meeting-minutes.pdf"
    minutes.write_bytes(PDF)
    page.get_by_label("File:", exact=True).set_input_files(str(minutes))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("“tenants-meeting-minutes.pdf” is uploaded.")

    page.get_by_role("link", name="Map to criteria for tenants-meeting-minutes.pdf").click()
    boxes = page.get_by_label("F/615/8318 AC")  # each box is named by its unit and criterion
    expect(boxes.first).to_be_visible()
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Save the mapping").click()
    expect(page.get_by_role("status")).to_contain_text("“tenants-meeting-minutes.pdf” is mapped to 2 of")
    item = EvidenceItem.objects.get(portfolio__enrolment__learner__email=JORDAN, original_name=minutes.name)
    mapped = item.mappings.select_related("criterion__outcome__unit")
    assert [m.criterion.outcome.unit.code for m in mapped] == ["F/615/8318", "F/615/8318"]

    # The gap matrix shows the file against both criteria, each of them covered.
    page.get_by_role("link", name="Your portfolio", exact=True).click()
    page.get_by_role("link", name="See what is covered and what is not").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What your evidence covers")
    rows = page.get_by_role("row").filter(has=page.get_by_role("link", name=minutes.name))
    expect(rows).to_have_count(2)
    for n in range(2):
        expect(rows.nth(n).get_by_role("rowheader")).to_contain_text("F/615/8318 AC")
        expect(rows.nth(n).get_by_role("cell").first).to_have_text("Covered")
