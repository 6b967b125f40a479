"""An invoice as an A4 PDF: who issues it, to whom, the line, the tax breakdown, the total and how to pay.

A New Zealand GST tax invoice shows the words "tax invoice", the supplier's name and GST registration number,
the date, a description, and the amounts before tax, the tax and the total; a UK VAT invoice asks for much the
same. So an invoice that charges tax and whose supplier gave a
registration number is titled "Tax invoice"; any other is an "Invoice".
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from credo.programmes.documents.pdf import a4_document
from credo.programmes.models import Invoice, InvoiceState
from credo.programmes.services.fees import ROUNDING_RULE


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _amount(invoice: Invoice, value: Decimal) -> str:
    return f"{invoice.currency} {value:,.2f}"


def is_tax_invoice(invoice: Invoice) -> bool:
    return invoice.tax_amount > 0 and bool(invoice.supplier_tax_number)


def title(invoice: Invoice) -> str:
    return "Tax invoice" if is_tax_invoice(invoice) else "Invoice"


def tax_number_label(tax_name: str) -> str:
    """What a registration number is called where the tax is charged: "GST number", "VAT registration number"."""
    name = tax_name.strip()
    if name.upper() == "VAT":
        return "VAT registration number"
    return f"{name} number" if name else "Tax number"


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """The invoice as issued: its amounts and supplier were fixed then, so the PDF never recalculates them."""
    heading = f"{title(invoice)} {invoice.reference}"
    supplier = invoice.supplier_name or invoice.provider.name  # invoices issued before suppliers were copied
    pdf = a4_document(title=heading, author=supplier, compress=compress)

    def line(text: str, size: float = 11, *, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def row(label: str, value: str, *, bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 11)
        pdf.cell(130, 8, label, border="B")
        pdf.cell(0, 8, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")

    line(supplier, 16, bold=True, gap=1)
    for address_line in invoice.supplier_address.splitlines():
        line(address_line, gap=0)
    if invoice.supplier_email:
        line(invoice.supplier_email, gap=0)
    if invoice.supplier_tax_number:
        line(f"{tax_number_label(invoice.tax_name)} {invoice.supplier_tax_number}", gap=0)
    pdf.ln(4)
    line(heading, 20, bold=True)
    line(f"Invoice number {invoice.number}", gap=4)
    line("To", bold=True, gap=0)
    line(invoice.addressed_to, gap=0)
    if invoice.address_detail:
        line(invoice.address_detail, gap=0)
    line(invoice.email, gap=4)
    line(f"Issued {_day(invoice.issued_on)}", gap=0)
    line(f"Due {_day(invoice.due_on)}", gap=0)
    line(f"Status: {invoice.get_state_display()}", gap=6)
    if invoice.tax_name:
        row("Description", f"Excluding {invoice.tax_name}", bold=True)
    row(invoice.description, _amount(invoice, invoice.amount_excluding_tax))
    if invoice.tax_name:
        percent = f"{(invoice.tax_rate * 100).normalize():f}%"
        row(f"{invoice.tax_name} at {percent}", _amount(invoice, invoice.tax_amount))
    row(f"Total ({invoice.currency})", _amount(invoice, invoice.total), bold=True)
    pdf.ln(6)
    if invoice.state == InvoiceState.PAID and invoice.paid_on:
        line(f"Paid {_day(invoice.paid_on)}. Thank you.", 12, bold=True, gap=4)
    elif invoice.state == InvoiceState.CANCELLED:
        line("Cancelled: nothing is owed on this invoice.", 12, bold=True, gap=4)
    else:
        line("How to pay", bold=True, gap=0)
        for instruction in invoice.payment_instructions.splitlines():
            line(instruction, gap=0)
        line(f"Quote reference {invoice.reference}", gap=4)
    line(ROUNDING_RULE, 9)
    return bytes(pdf.output())
