from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import Rejected
from core.money import Cost, format_amount, parse_cost


@pytest.mark.parametrize(
    ("text", "amount", "currency", "period", "monthly"),
    [
        ("1200/mo", "1200", "USD", "month", "1200"),
        ("14k/yr", "14000", "USD", "year", "1166.67"),
        ("$1,200", "1200", "USD", "month", "1200"),
        ("EUR 900/month", "900", "EUR", "month", "900"),
        ("€50 per year", "50", "EUR", "year", "4.17"),
        ("900 gbp/yr", "900", "GBP", "year", "75"),
        ("2m/yr", "2000000", "USD", "year", "166666.67"),
        ("99.50", "99.50", "USD", "month", "99.50"),
        ("0", "0", "USD", "month", "0"),
    ],
)
def test_it_reads_costs_as_people_write_them(
    text: str, amount: str, currency: str, period: str, monthly: str
) -> None:
    cost = parse_cost(text)
    assert cost == Cost(Decimal(amount).quantize(Decimal("0.01")), currency, period)  # type: ignore[arg-type]
    assert cost.monthly == Decimal(monthly)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cheap", "bad_cost"),
        ("-5/mo", "negative_cost"),
        ("1e309", "bad_cost"),
        ("5/week", "bad_cost_period"),
        ("XYZ 5", "bad_currency"),
        ("$5 EUR", "bad_cost"),
        ("1" * 400, "huge_cost"),
        ("1,2/mo", "bad_cost"),
    ],
)
def test_it_refuses_what_is_not_a_cost(text: str, code: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_cost(text)
    assert caught.value.code == code


def test_it_formats_amounts_for_people() -> None:
    assert format_amount(Decimal("1200"), "USD") == "$1,200"
    assert format_amount(Decimal("1166.67"), "EUR") == "€1,166.67"
    assert format_amount(Decimal("900"), "CHF") == "CHF 900"
