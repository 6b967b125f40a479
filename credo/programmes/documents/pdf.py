"""The A4 page every programme document starts from (invoices, grant letters): fonts that cover every script."""

from __future__ import annotations

from fpdf import FPDF

from credo.credentials.presentation import BOLD_FONT, REGULAR_FONT

INK = (27, 31, 35)


def a4_document(*, title: str, author: str, compress: bool = True) -> FPDF:
    """A new A4 PDF with one page begun, DejaVu regular and bold loaded (as "DejaVu"), and dark ink."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("credo")
    pdf.set_lang("en")
    pdf.add_font("DejaVu", "", str(REGULAR_FONT))
    pdf.add_font("DejaVu", "B", str(BOLD_FONT))
    pdf.add_page()
    pdf.set_text_color(*INK)
    return pdf
