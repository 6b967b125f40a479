"""A letter for a grant application, as an A4 PDF: the provider confirms the learner's enrolment and its cost.

Funders ask for it "to whom it may concern", from the provider, with what the fee
pays for and the amounts a grant would cover. The amounts come from the invoice
(issued or paid, never a cancelled one), so the letter matches what the learner
is billed, including an approved reduced fee.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from credo.programmes.documents.pdf import a4_document
from credo.programmes.models import FundingRequest, Invoice, InvoiceState, ProviderBilling, SupportDecision, SupportKind
from credo.programmes.services.cohorts import zone
from credo.programmes.services.fees import ROUNDING_RULE, quote


@dataclass(frozen=True)
class LetterFee:
    """The amounts the letter states, and the invoice they come from (none before one is issued)."""

    currency: str
    before_tax: Decimal
    tax_name: str
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    invoice_reference: str


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def letter_fee(request: FundingRequest) -> LetterFee:
    """The fee as billed: the latest invoice not cancelled, or the learner's quote if none was issued yet."""
    enrolment = request.enrolment
    invoice: Invoice | None = (
        enrolment.invoices.select_related("provider")
        .exclude(state=InvoiceState.CANCELLED)
        .order_by("-issued_on", "-pk")
        .first()
    )
    if invoice is not None:
        return LetterFee(
            currency=invoice.currency,
            before_tax=invoice.amount_excluding_tax,
            tax_name=invoice.tax_name,
            tax_rate=invoice.tax_rate,
            tax=invoice.tax_amount,
            total=invoice.total,
            invoice_reference=invoice.reference,
        )
    cohort = enrolment.cohort
    fee = quote(enrolment.fee_tier.amount, tax_rate=cohort.tax_rate, tax_name=cohort.tax_name, currency=cohort.currency)
    return LetterFee(
        currency=fee.currency,
        before_tax=fee.amount,
        tax_name=fee.tax_name,
        tax_rate=fee.tax_rate,
        tax=fee.tax,
        total=fee.total,
        invoice_reference="",
    )


def grant_letter_pdf(request: FundingRequest, *, compress: bool = True) -> bytes:
    """The letter for an approved grant-letter request; ``ValueError`` for any other request (a caller's bug)."""
    if request.kind != SupportKind.GRANT_LETTER or request.decision != SupportDecision.APPROVED:
        raise ValueError("A grant letter is written only for an approved request for one.")
    enrolment = request.enrolment
    cohort = enrolment.cohort
    programme = cohort.programme
    provider = programme.provider
    learner = enrolment.learner
    billing = ProviderBilling.objects.filter(provider=provider).first()
    fee = letter_fee(request)
    approver = request.decided_by
    written = timezone.localtime(request.decided_at or timezone.now(), zone(cohort.time_zone)).date()

    pdf = a4_document(
        title=f"Letter for a grant application: {learner.full_name or learner.email}",
        author=provider.name,
        compress=compress,
    )

    def line(text: str, size: float = 11, *, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def row(label: str, value: Decimal, *, bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 11)
        pdf.cell(130, 8, label, border="B")
        pdf.cell(0, 8, f"{fee.currency} {value:,.2f}", border="B", align="R", new_x="LMARGIN", new_y="NEXT")

    line(billing.legal_name if billing and billing.legal_name else provider.name, 16, bold=True, gap=0)
    if billing:
        for address_line in billing.postal_address.splitlines():
            line(address_line, gap=0)
        if billing.billing_email:
            line(billing.billing_email, gap=0)
    pdf.ln(6)
    line(_day(written), gap=6)
    line("To whom it may concern", bold=True, gap=4)
    line(f"Enrolment of {learner.full_name or learner.email} in {programme.name}", 13, bold=True, gap=4)
    line(
        f"We confirm that {learner.full_name or learner.email} is enrolled in {programme.name}, "
        f"{cohort.name}, offered by {provider.name}. The study period runs from {_day(cohort.study_starts)} "
        f"to {_day(cohort.study_ends)}.",
        gap=4,
    )
    items = programme.fee_includes_items()
    if items:
        line("The fee includes:", bold=True, gap=1)
        for item in items:
            line(f"\u2022 {item}", gap=0)
        pdf.ln(4)
    row("Fee, before tax", fee.before_tax)
    if fee.tax_name:
        row(f"{fee.tax_name} at {(fee.tax_rate * 100).normalize():f}%", fee.tax)
    row(f"Total ({fee.currency})", fee.total, bold=True)
    pdf.ln(3)
    if fee.invoice_reference:
        line(f"Invoice reference: {fee.invoice_reference}. Please quote it with any payment.", gap=1)
    else:
        line("No invoice has been issued yet; it will carry these amounts.", gap=1)
    line(ROUNDING_RULE, 9, gap=6)
    line("Please contact us if you need anything further to support this application.", gap=8)
    line("Approved by", gap=0)
    line(approver.full_name or approver.email if approver else provider.name, bold=True, gap=0)
    line(f"Programme administrator, {provider.name}", gap=0)
    return bytes(pdf.output())
