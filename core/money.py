"""Costs as people write them ("1200/mo", "14k/yr", "$1,200", "EUR 900/month", "€ 150.000,00").

A separator is read as a thousands separator only when nothing else is possible (`1,200,000`,
`1.200,50`) or when the cost's currency is written so (`2.400 EUR`); `$2.400` could be 2400 or
2.40 and is refused with both. A symbol several currencies share (`¥`, `kr`) is refused with the
codes to choose from. Nothing is guessed.
"""

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

# Symbols that name one currency. `$` is the US dollar, as the README's examples write it,
# unless the cost is given in another dollar (a form whose currency is CAD): then it is refused.
SYMBOLS = {
    "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₪": "ILS",
    "₺": "TRY", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "SG$": "SGD", "R$": "BRL", "MX$": "MXN", "JP¥": "JPY",
    "CN¥": "CNY", "RMB": "CNY", "zł": "PLN", "Kč": "CZK",
}  # fmt: skip
# Symbols several currencies write, and the codes a person chooses from.
SHARED_SYMBOLS = {"¥": ("JPY", "CNY"), "kr": ("SEK", "NOK", "DKK"), "kr.": ("SEK", "NOK", "DKK")}
# ISO 4217 codes people actually pay infrastructure bills in; an unknown three-letter code is
# more likely a typo than a currency.
CODES = frozenset(
    {
        *("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN"),
        *("CZK", "INR", "CNY", "HKD", "SGD", "KRW", "BRL", "MXN", "ZAR", "ILS", "AED", "TRY"),
    }
)
DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"})
# Currencies whose amounts are commonly written with `.` between thousands (`2.400 €`) and those
# written with a decimal comma (`2,50 €`). Everywhere `,` may group thousands, since stackbot
# itself writes amounts so (format_amount), and `.` may mark decimals.
DOT_THOUSANDS = frozenset({"EUR", "DKK", "BRL", "TRY"})
COMMA_DECIMALS = frozenset({"EUR", "DKK", "NOK", "SEK", "PLN", "CZK", "BRL", "TRY", "ZAR", "CHF"})
PERIODS: dict[str, Period] = {
    **dict.fromkeys(("mo", "mon", "mth", "month", "monthly", "m", "pm"), "month"),
    **dict.fromkeys(("yr", "y", "year", "yearly", "annual", "annually", "pa", "a"), "year"),
}

_SYMBOL = "|".join(re.escape(s) for s in sorted([*SYMBOLS, *SHARED_SYMBOLS], key=len, reverse=True))
# A grouping mark may be a space (`150 000`), a no-break space, or an apostrophe (`1'200`).
_MARKS = ".,'’ \u00a0\u202f"
_PATTERN = re.compile(
    rf"""^\s*
    (?P<pre>{_SYMBOL}|[A-Za-z]{{3}}(?=\s*[\d.,]))?\s*
    (?P<num>[+-]?(?:\d(?:[\d{_MARKS}]*\d)?|[.,]\d+))
    (?P<mult>[kKmM](?![a-z]))?\s*
    (?P<post>{_SYMBOL}|[A-Za-z]{{3}}(?![a-z]))?\s*
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
    tokens = [c for c in (match["pre"], match["post"]) if c]
    currency = _currency_of(tokens, text=text, default=default_currency)
    number = match["num"]
    if number.startswith("-"):
        raise Rejected("negative_cost", value=text)
    amount = read_number(number.lstrip("+"), currency=currency, text=text)
    multiplier = (match["mult"] or "").lower()
    amount *= {"": 1, "k": 1000, "m": 1000000}[multiplier]
    if amount > MAX_AMOUNT:
        raise Rejected("huge_cost", value=text)
    period_word = (match["period"] or match["word"] or "month").lower()
    period = PERIODS.get(period_word)
    if period is None:
        raise Rejected("bad_cost_period", value=text)
    return Cost(
        amount=amount.quantize(CENT, rounding=ROUND_HALF_UP), currency=currency, period=period
    )


def read_number(number: str, *, currency: str, text: str | None = None) -> Decimal:
    """A figure with whatever separators people put in it, in `currency`'s way of writing.

    Raises Rejected("ambiguous_amount") with both readings when one separator followed by three
    digits could group thousands or mark decimals, and the currency does not settle it.
    """
    text = number if text is None else text
    body = number.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    marks = [(i, ch) for i, ch in enumerate(body) if not ch.isdigit()]
    if not marks:
        return _decimal(body, text)
    kinds = {ch for _, ch in marks}
    last_at, last = marks[-1]
    whole, tail = body[:last_at], body[last_at + 1 :]
    if len(kinds) > 1:
        # Two kinds of mark: the last one, once, marks the decimals (`1.200,50`, `1,200.50`).
        if last not in ".," or body.count(last) > 1:
            raise Rejected("bad_cost", value=text)
        return _decimal(f"{_grouped(whole, text)}.{tail}", text)
    if last in " '" or len(marks) > 1:
        return _decimal(_grouped(body, text), text)
    if len(tail) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        if last == "," or currency in DOT_THOUSANDS:
            return _decimal(whole + tail, text)
        raise Rejected(
            "ambiguous_amount",
            value=text,
            readings=[whole + tail, str(Decimal(f"{whole}.{tail}").quantize(CENT, ROUND_HALF_UP))],
            currency=currency,
        )
    if last == "," and currency not in COMMA_DECIMALS:
        raise Rejected("bad_cost", value=text)
    return _decimal(f"{whole or '0'}.{tail}", text)


def _grouped(whole: str, text: str) -> str:
    """The digits of a whole number written in groups of three (`1,200,000`, `150 000`)."""
    if whole.isdigit() or not whole:
        return whole
    marks = {ch for ch in whole if not ch.isdigit()}
    groups = re.split(r"[^\d]", whole)
    valid = len(marks) == 1 and 1 <= len(groups[0]) <= 3 and not groups[0].startswith("0")
    if not valid or any(len(group) != 3 for group in groups[1:]):
        raise Rejected("bad_cost", value=text)
    return "".join(groups)


def _decimal(digits: str, text: str) -> Decimal:
    try:
        return Decimal(digits)
    except InvalidOperation:
        raise Rejected("bad_cost", value=text) from None


def _currency_of(tokens: list[str], *, text: str, default: str) -> str:
    """The one currency a cost's symbol and code name. A shared symbol is settled by a code
    beside it (`kr 500 SEK`) or by the currency the caller gives (a form set to SEK), else it
    is refused with the codes it could be."""
    if not tokens:
        return default
    readings = [_meanings(token, text) for token in tokens]
    possible = set.intersection(*readings)
    if not possible:
        raise Rejected("bad_cost", value=text)
    if len(possible) > 1 and "$" in tokens:
        # `$` is the US dollar, as the README writes it, except where the cost is given in
        # another dollar (a form set to CAD): there it could be either, and is refused.
        possible = {"USD"} if default not in possible - {"USD"} else possible & {"USD", default}
    elif len(possible) > 1 and default in possible:
        possible = {default}
    if len(possible) > 1:
        token = next(t for t, r in zip(tokens, readings, strict=True) if len(r) > 1)
        choices = [c for c in _choices(token, default) if c in possible]
        raise Rejected("ambiguous_currency", value=text, currency=token, choices=choices)
    return possible.pop()


def _meanings(token: str, text: str) -> set[str]:
    """Every currency a symbol or code may name: one for a code or a symbol of its own, several
    for `¥` and `kr`, and every dollar for `$` (US dollars unless the cost is in another)."""
    if token in SHARED_SYMBOLS:
        return set(SHARED_SYMBOLS[token])
    if token == "$":
        return set(DOLLARS)
    code = SYMBOLS.get(token, token.upper())
    if code not in CODES:
        raise Rejected("bad_currency", value=text, currency=token)
    return {code}


def _choices(token: str, default: str) -> tuple[str, ...]:
    """The codes a shared symbol is offered as, in the order people are likeliest to mean."""
    if token == "$":
        return ("USD", default)
    return SHARED_SYMBOLS[token]


def format_amount(amount: Decimal, currency: str) -> str:
    """A figure for people: "$1,200", "EUR 900", "$99.50"."""
    whole = amount == amount.to_integral_value()
    digits = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{digits}" if symbol else f"{currency} {digits}"
