"""Property tests for amounts: formatting reads back, and no amount written in any usual way is
read as another amount (it is read right, or refused)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.errors import Rejected
from core.money import CODES, format_amount, parse_cost

AMOUNTS = st.integers(min_value=0, max_value=10**11).map(lambda cents: Decimal(cents) / 100)
CURRENCIES = st.sampled_from(sorted(CODES))
# (thousands mark, decimal mark) as people in various countries write them.
CONVENTIONS = st.sampled_from(
    [(",", "."), (".", ","), ("", "."), ("", ","), (" ", ","), ("'", "."), ("\u00a0", ",")]
)


def written(amount: Decimal, thousands: str, decimals: str) -> str:
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return text.replace(",", "\0").replace(".", decimals).replace("\0", thousands)


@given(AMOUNTS, CURRENCIES)
def test_formatted_amounts_read_back_as_the_same_cost(amount: Decimal, currency: str) -> None:
    for period in ("mo", "yr"):
        cost = parse_cost(f"{format_amount(amount, currency)}/{period}")
        assert (cost.amount, cost.currency) == (amount, currency)


@given(AMOUNTS, CURRENCIES, CONVENTIONS, st.booleans())
def test_no_input_is_read_two_ways(
    amount: Decimal, currency: str, convention: tuple[str, str], code_first: bool
) -> None:
    """Each usual way of writing an amount reads as that amount or is refused: so a text two
    conventions would write for two different amounts (`2.400`: 2400 or 2.40) is refused."""
    number = written(amount, *convention)
    text = f"{currency} {number}" if code_first else f"{number} {currency}"
    outcome = _read(text)
    if isinstance(outcome, Rejected):
        assert outcome.code in {"ambiguous_amount", "bad_cost", "huge_cost"}, text
        if outcome.code == "ambiguous_amount":
            assert amount in {Decimal(reading) for reading in outcome.details["readings"]}
    else:
        assert outcome == amount, text


def _read(text: str) -> Decimal | Rejected:
    try:
        return parse_cost(text).amount
    except Rejected as rejected:
        return rejected


@given(st.text(alphabet="0123456789.,' ", min_size=1, max_size=12), CURRENCIES)
def test_where_the_currency_stands_never_changes_the_figure(number: str, currency: str) -> None:
    readings = set()
    for text in (f"{currency} {number}", f"{number} {currency}"):
        try:
            readings.add(parse_cost(text).amount)
        except Rejected:
            continue
    assert len(readings) <= 1
