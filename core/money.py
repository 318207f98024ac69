"""Costs as people write them ("1200/mo", "14k/yr", "$1,200", "EUR 900/month")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from core.errors import Rejected

Period = Literal["month", "year"]

# The largest figure anyone would put on one tool; anything above is a typo.
MAX_AMOUNT = Decimal("1000000000")
CENT = Decimal("0.01")

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW"}
# ISO 4217 codes people actually pay infrastructure bills in; an unknown three-letter code is
# more likely a typo than a currency.
CODES = frozenset(
    {
        *("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN"),
        *("CZK", "INR", "CNY", "HKD", "SGD", "KRW", "BRL", "MXN", "ZAR", "ILS", "AED", "TRY"),
    }
)
PERIODS: dict[str, Period] = {
    **dict.fromkeys(("mo", "mon", "mth", "month", "monthly", "m", "pm"), "month"),
    **dict.fromkeys(("yr", "y", "year", "yearly", "annual", "annually", "pa", "a"), "year"),
}

_PATTERN = re.compile(
    r"""^\s*
    (?P<pre>[$€£¥₹₩]|[A-Za-z]{3}(?=\s*[\d.]))?\s*
    (?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)
    (?P<mult>[kKmM](?![a-z]))?\s*
    (?P<post>[$€£¥₹₩]|[A-Za-z]{3}(?![a-z]))?\s*
    (?:(?:/|\bper\s+|\ba\s+)\s*(?P<period>[A-Za-z]+)|(?P<word>monthly|yearly|annually))?
    \s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Cost:
    amount: Decimal
    currency: str
    period: Period
    # The cost of one month, in the cost's own currency, to the cent: worked out once, since
    # every total and every finding asks for it.
    monthly: Decimal = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        per_month = self.amount if self.period == "month" else self.amount / 12
        object.__setattr__(self, "monthly", per_month.quantize(CENT, rounding=ROUND_HALF_UP))


def parse_cost(text: str, *, default_currency: str = "USD") -> Cost:
    # One space for every run of whitespace: the pattern's neighbouring `\s*` would otherwise
    # try every split of a long run between them ("1", 2,000 spaces, "x" took 42 s).
    match = _PATTERN.match(" ".join(text.split()))
    if match is None:
        raise Rejected("bad_cost", value=text)
    currencies = {_currency(c, text) for c in (match["pre"], match["post"]) if c}
    if len(currencies) > 1:
        raise Rejected("bad_cost", value=text)
    number = match["num"].replace(",", "")
    if number.startswith("-"):
        raise Rejected("negative_cost", value=text)
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise Rejected("bad_cost", value=text) from None
    multiplier = (match["mult"] or "").lower()
    amount *= {"": 1, "k": 1000, "m": 1000000}[multiplier]
    if amount > MAX_AMOUNT:
        raise Rejected("huge_cost", value=text)
    period_word = (match["period"] or match["word"] or "month").lower()
    period = PERIODS.get(period_word)
    if period is None:
        raise Rejected("bad_cost_period", value=text)
    return Cost(
        amount=amount.quantize(CENT, rounding=ROUND_HALF_UP),
        currency=currencies.pop() if currencies else default_currency,
        period=period,
    )


def _currency(token: str, text: str) -> str:
    code = SYMBOLS.get(token, token.upper())
    if code not in CODES:
        raise Rejected("bad_currency", value=text, currency=token)
    return code


def format_amount(amount: Decimal, currency: str) -> str:
    """A figure for people: "$1,200", "EUR 900", "$99.50"."""
    whole = amount == amount.to_integral_value()
    digits = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{digits}" if symbol else f"{currency} {digits}"
