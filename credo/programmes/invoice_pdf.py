"""An invoice as an A4 PDF: who issues it, to whom, the line, the tax breakdown and the total."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fpdf import FPDF

from credo.credentials.presentation import BOLD_FONT, REGULAR_FONT
from credo.programmes.models import Invoice
from credo.programmes.services.fees import ROUNDING_RULE

INK = (27, 31, 35)


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _amount(invoice: Invoice, value: Decimal) -> str:
    return f"{invoice.currency} {value:,.2f}"


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """The invoice as issued: its amounts were fixed then, so the PDF never recalculates them."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(f"Invoice {invoice.reference}")
    pdf.set_author(invoice.provider.name)
    pdf.set_creator("credo")
    pdf.set_lang("en")
    pdf.add_font("DejaVu", "", str(REGULAR_FONT))
    pdf.add_font("DejaVu", "B", str(BOLD_FONT))
    pdf.add_page()
    pdf.set_text_color(*INK)

    def line(text: str, size: float = 11, *, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def row(label: str, value: str, *, bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 11)
        pdf.cell(130, 8, label, border="B")
        pdf.cell(0, 8, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")

    line(invoice.provider.name, 16, bold=True, gap=4)
    line(f"Invoice {invoice.reference}", 20, bold=True)
    line(f"Invoice number {invoice.number}", gap=4)
    line("To", bold=True, gap=0)
    line(invoice.addressed_to, gap=0)
    if invoice.address_detail:
        line(invoice.address_detail, gap=0)
    line(invoice.email, gap=4)
    line(f"Issued {_day(invoice.issued_on)}", gap=0)
    line(f"Due {_day(invoice.due_on)}", gap=0)
    line(f"Status: {invoice.get_state_display()}", gap=6)
    row(invoice.description, _amount(invoice, invoice.amount_excluding_tax))
    if invoice.tax_name:
        percent = f"{(invoice.tax_rate * 100).normalize():f}%"
        row(f"{invoice.tax_name} at {percent}", _amount(invoice, invoice.tax_amount))
    row(f"Total ({invoice.currency})", _amount(invoice, invoice.total), bold=True)
    pdf.ln(6)
    line(ROUNDING_RULE, 9)
    if invoice.paid_on:
        line(f"Paid {_day(invoice.paid_on)}. Thank you.", 9)
    return bytes(pdf.output())
