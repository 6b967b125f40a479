"""The invoice PDF as a tax invoice: titled so only when tax is charged and the supplier gave its registration
number; the supplier, the number labelled for the tax, how to pay with the reference to quote, and the status."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal

import pytest

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import UserFactory
from credo.credentials.tests.test_presentation import _pdf_text
from credo.programmes.documents.invoice import invoice_pdf, tax_number_label
from credo.programmes.models import Cohort, Invoice, Programme
from credo.programmes.services import billing, enrolments

from .builders import cohort_2024
from .staff_helpers import PAID_ON, register


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, so ``_pdf_text`` reads an emailed (compressed) invoice too."""
    parts, position = [], 0
    for match in re.finditer(rb"/Filter /FlateDecode[^>]*>>\nstream\n", pdf):
        start = match.end()
        inflater = zlib.decompressobj()
        content = inflater.decompress(pdf[start:])
        parts += [pdf[position:start], content]
        position = len(pdf) - len(inflater.unused_data)
    parts.append(pdf[position:])
    return b"".join(parts)


def pdf_text(invoice: Invoice) -> str:
    invoice.refresh_from_db()
    return _pdf_text(invoice_pdf(invoice, compress=False))


def set_billing(provider: Organisation, admin: User, **changes: str) -> None:
    values = {
        "legal_name": "Inspiring Communities Trust",
        "tax_number": "123-456-789",
        "postal_address": "PO Box 24 198\nWellington 6142",
        "billing_email": "accounts@inspiring-test.example",
        "payment_instructions": "Internet banking to Inspiring Communities Trust\nAccount 00-1234-0123456-00",
    }
    values.update(changes)
    billing.set_billing(provider, actor=admin, **values)


@pytest.fixture
def registered(provider: Organisation, provider_admin: User) -> None:
    set_billing(provider, provider_admin)


def test_an_invoice_charging_gst_from_a_registered_supplier_is_a_tax_invoice(
    registered: None, cohort: Cohort, applicant: User
) -> None:
    invoice = register(cohort, applicant).invoices.get()

    text = pdf_text(invoice)

    for expected in (
        "Inspiring Communities Trust",
        "PO Box 24 198",
        "Wellington 6142",
        "accounts@inspiring-test.example",
        "GST number 123-456-789",
        f"Tax invoice {invoice.reference}",
        "Invoice number 1",
        "To",
        "Aroha Te Whare",
        "aroha@example.org",
        "Issued 1 February 2024",
        "Due 21 February 2024",
        "Excluding GST",
        "Micro-credential in CLD facilitation, 2024 intake: Local and central government",
        "NZD 649.00",
        "GST at 15%",
        "NZD 97.35",
        "Total (NZD)",
        "NZD 746.35",
        "How to pay",
        "Internet banking to Inspiring Communities Trust",
        "Account 00-1234-0123456-00",
        f"Quote reference {invoice.reference}",
        "Tax is calculated on the fee and rounded to the nearest cent",
    ):
        assert expected in text, expected
    assert text.index("GST number") < text.index("Tax invoice") < text.index("How to pay")


def test_without_a_registration_number_it_is_an_invoice_not_a_tax_invoice(
    provider: Organisation, provider_admin: User, cohort: Cohort, applicant: User
) -> None:
    set_billing(provider, provider_admin, tax_number="")
    invoice = register(cohort, applicant).invoices.get()

    text = pdf_text(invoice)

    assert f"Invoice {invoice.reference}" in text
    assert "Tax invoice" not in text
    assert "GST number" not in text
    assert "GST at 15%" in text


def test_a_registered_supplier_charging_no_tax_issues_an_invoice_showing_its_number(
    provider: Organisation, provider_admin: User, programme: Programme, applicant: User
) -> None:
    set_billing(provider, provider_admin)
    untaxed = cohort_2024(provider_admin, programme, slug="untaxed", tax_name="", tax_rate=Decimal("0"))
    invoice = register(untaxed, applicant).invoices.get()

    text = pdf_text(invoice)

    assert f"Invoice {invoice.reference}" in text
    assert "Tax invoice" not in text
    assert "Tax number 123-456-789" in text


def test_a_vat_invoice_labels_the_vat_registration_number(
    provider: Organisation, provider_admin: User, programme: Programme, applicant: User
) -> None:
    set_billing(provider, provider_admin, tax_number="GB 123 4567 89")
    vat = cohort_2024(provider_admin, programme, slug="vat", currency="GBP", tax_name="VAT", tax_rate=Decimal("0.2"))
    invoice = register(vat, applicant).invoices.get()

    text = pdf_text(invoice)

    assert "VAT registration number GB 123 4567 89" in text
    assert f"Tax invoice {invoice.reference}" in text
    assert "VAT at 20%" in text
    assert "GBP 129.80" in text  # 649.00 at 20%


@pytest.mark.parametrize(
    ("tax_name", "label"),
    [("GST", "GST number"), ("VAT", "VAT registration number"), ("vat", "VAT registration number"), ("", "Tax number")],
)
def test_the_registration_number_is_named_for_the_tax(tax_name: str, label: str) -> None:
    assert tax_number_label(tax_name) == label


def test_a_paid_invoice_says_when_it_was_paid_and_no_longer_how_to_pay(
    registered: None, cohort: Cohort, applicant: User, provider_admin: User
) -> None:
    invoice = register(cohort, applicant).invoices.get()
    enrolments.record_payment(invoice, actor=provider_admin, paid_on=PAID_ON)

    text = pdf_text(invoice)

    assert "Status: Paid" in text
    assert "Paid 5 February 2024. Thank you." in text
    assert "How to pay" not in text


def test_a_cancelled_invoice_says_so(registered: None, cohort: Cohort, applicant: User) -> None:
    enrolment = register(cohort, applicant)
    enrolments.withdraw(enrolment, actor=applicant, reason="Moving overseas")

    text = pdf_text(enrolment.invoices.get())

    assert "Status: Cancelled" in text
    assert "Cancelled: nothing is owed on this invoice." in text
    assert "How to pay" not in text


def test_an_invoice_keeps_the_supplier_it_was_issued_with(
    registered: None, provider: Organisation, provider_admin: User, cohort: Cohort
) -> None:
    invoice = register(cohort, UserFactory(email="tama@example.org", full_name="Tama Rāwiri")).invoices.get()
    set_billing(provider, provider_admin, legal_name="New Name Trust", postal_address="1 New Street\nNapier")

    text = pdf_text(invoice)

    assert "Inspiring Communities Trust" in text
    assert "New Name Trust" not in text
    assert "Napier" not in text


def test_the_compressed_pdf_reads_the_same(registered: None, cohort: Cohort, applicant: User) -> None:
    invoice = register(cohort, applicant).invoices.get()

    compressed = invoice_pdf(invoice)

    assert b"/FlateDecode" in compressed
    assert _pdf_text(inflated(compressed)) == _pdf_text(invoice_pdf(invoice, compress=False))
