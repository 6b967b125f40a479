"""The demo's providers have billing details, so its invoices show a supplier and how to pay: Inspiring
Communities' (GST-registered, charging GST) are tax invoices; the SEG centre's (no VAT) are plain invoices."""

from __future__ import annotations

import pytest

from credo.front.demo import load_demo
from credo.programmes.documents.invoice import title
from credo.programmes.models import Invoice, ProviderBilling

pytestmark = pytest.mark.django_db


def test_the_demo_providers_bill_with_their_details() -> None:
    load_demo()

    assert set(ProviderBilling.objects.values_list("provider__slug", "tax_number")) == {
        ("inspiring-communities", "123-456-789"),
        ("riverside-organising-centre", ""),
    }
    inspiring = Invoice.objects.filter(provider__slug="inspiring-communities")
    assert inspiring.exists()
    for invoice in inspiring:
        assert invoice.supplier_name == "Inspiring Communities Trust (demo)"
        assert invoice.payment_instructions.startswith("Internet banking")
        assert title(invoice) == "Tax invoice"
