"""Fee arithmetic: exact decimals, one rounding rule, stated.

Amounts are kept in the currency's major unit with two decimal places. Tax is
the fee multiplied by the cohort's rate, rounded once to the cent, half away
from zero (ROUND_HALF_UP: 0.005 becomes 0.01), which is how NZ GST and UK VAT
invoices are calculated line by line. The total is the fee plus that tax, so
the invoice always adds up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ROUNDING_RULE = "Tax is calculated on the fee and rounded to the nearest cent, halves rounded up."


@dataclass(frozen=True)
class Quote:
    """What a fee costs: before tax, the tax, and the total."""

    amount: Decimal
    tax_name: str
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    currency: str

    @property
    def tax_percent(self) -> str:
        return f"{(self.tax_rate * 100).normalize():f}%"


def money(value: Decimal | int | str) -> Decimal:
    """An amount as exact cents; refuses floats, whose binary fractions are not cents."""
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a Decimal or a string such as '649.00'")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quote(amount: Decimal, *, tax_rate: Decimal, tax_name: str = "", currency: str = "NZD") -> Quote:
    fee = money(amount)
    tax = (fee * Decimal(tax_rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(amount=fee, tax_name=tax_name, tax_rate=Decimal(tax_rate), tax=tax, total=fee + tax, currency=currency)
