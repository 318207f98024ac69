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


# Issue 17: a separator is read as thousands only when nothing else is possible or the
# currency writes it so; anything that could be read two ways is refused with both readings.


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("€2.400/mo", "2400", "EUR"),
        ("2.400 EUR/mo", "2400", "EUR"),
        ("€2.400,00", "2400", "EUR"),
        ("€ 150.000,00", "150000", "EUR"),
        ("1.200,50", "1200.50", "USD"),
        ("$1,200.50", "1200.50", "USD"),
        ("1.200.000 EUR", "1200000", "EUR"),
        ("2,50 EUR", "2.50", "EUR"),
        ("150 000 EUR", "150000", "EUR"),
        ("CHF 1'200", "1200", "CHF"),
        ("0.125", "0.13", "USD"),
        ("C$ 900", "900", "CAD"),
        ("CN¥ 900", "900", "CNY"),
    ],
)
def test_it_reads_thousands_separators_only_when_they_cannot_be_decimals(
    text: str, amount: str, currency: str
) -> None:
    cost = parse_cost(text)
    assert (cost.amount, cost.currency) == (Decimal(amount).quantize(Decimal("0.01")), currency)


@pytest.mark.parametrize(
    ("text", "readings"),
    [("$2.400", ["2400", "2.40"]), ("2.400/mo", ["2400", "2.40"]), ("$9.999", ["9999", "10.00"])],
)
def test_it_refuses_a_separator_that_could_be_thousands_or_decimals(
    text: str, readings: list[str]
) -> None:
    with pytest.raises(Rejected) as caught:
        parse_cost(text)
    assert caught.value.code == "ambiguous_amount"
    assert caught.value.details["readings"] == readings


def test_it_reads_the_form_currency_into_a_bare_amount() -> None:
    assert parse_cost("2.400", default_currency="EUR").amount == Decimal("2400.00")


@pytest.mark.parametrize(
    ("text", "choices", "default"),
    [
        ("¥5000", ["JPY", "CNY"], "USD"),
        ("5000 ¥/mo", ["JPY", "CNY"], "USD"),
        ("500 kr/mo", ["SEK", "NOK", "DKK"], "USD"),
        ("$900", ["USD", "CAD"], "CAD"),
    ],
)
def test_it_refuses_a_symbol_several_currencies_share(
    text: str, choices: list[str], default: str
) -> None:
    with pytest.raises(Rejected) as caught:
        parse_cost(text, default_currency=default)
    assert caught.value.code == "ambiguous_currency"
    assert caught.value.details["choices"] == choices


@pytest.mark.parametrize("text", ["1,20,000", "1.2.3", "12,34,567", "1,200.000.5", "1 2"])
def test_it_refuses_separators_out_of_place(text: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_cost(text)
    assert caught.value.code == "bad_cost"


@pytest.mark.parametrize(
    ("text", "default", "currency"),
    [
        ("kr 500 SEK", "USD", "SEK"),
        ("¥5000 JPY", "USD", "JPY"),
        ("500 kr", "SEK", "SEK"),  # a form whose currency is SEK
        ("$900 CAD", "USD", "CAD"),
        ("$900", "EUR", "USD"),
        ("$900", "USD", "USD"),
    ],
)
def test_a_code_or_the_callers_currency_settles_a_shared_symbol(
    text: str, default: str, currency: str
) -> None:
    assert parse_cost(text, default_currency=default).currency == currency
