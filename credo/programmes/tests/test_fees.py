"""Fee arithmetic: exact cents, tax rounded once, half up; the total always adds up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credo.programmes.services.fees import money, quote

GST = Decimal("0.15")


@pytest.mark.parametrize(
    ("fee", "tax", "total"),
    [
        ("649.00", "97.35", "746.35"),  # local and central government
        ("525.00", "78.75", "603.75"),  # community organisations and volunteer groups
        ("0.03", "0.00", "0.03"),  # 0.0045 rounds down
        ("0.10", "0.02", "0.12"),  # 0.015 is a half: rounds up
        ("0.00", "0.00", "0.00"),
    ],
)
def test_gst_on_the_seeds_fees_and_at_the_rounding_edges(fee: str, tax: str, total: str) -> None:
    result = quote(Decimal(fee), tax_rate=GST, tax_name="GST")
    assert (result.amount, result.tax, result.total) == (Decimal(fee), Decimal(tax), Decimal(total))
    assert result.tax_percent == "15%"


def test_no_tax_where_none_applies() -> None:
    result = quote(Decimal("120"), tax_rate=Decimal("0"))
    assert (result.tax, result.total) == (Decimal("0.00"), Decimal("120.00"))


def test_money_is_never_a_float() -> None:
    with pytest.raises(TypeError, match="never a float"):
        money(649.0)  # type: ignore[arg-type]


@given(
    cents=st.integers(min_value=0, max_value=10_000_000),
    rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.99"), places=4),
)
def test_the_total_is_the_fee_plus_tax_within_half_a_cent_of_exact(cents: int, rate: Decimal) -> None:
    fee = Decimal(cents) / 100
    result = quote(fee, tax_rate=rate)
    assert result.total == result.amount + result.tax
    assert abs(result.tax - fee * rate) <= Decimal("0.005")
    assert result.tax.as_tuple().exponent == -2
