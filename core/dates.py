"""Dates as people write them ("2027-03-01", "1 Mar 2027", "Mar 1, 2027")."""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser

from core.errors import Rejected
from core.limits import MAX_DATE_TEXT

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\s*$")
# Two defaults that differ in every field: a field the text leaves out shows up as a difference.
# Both years are leap years so "29 Feb" parses against either.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 2, 2))  # noqa: DTZ001 - calendar dates only
MAX_YEARS_AHEAD = 50


def parse_date(text: str, *, today: date) -> date:
    """The calendar date `text` names; a date without a year is its next occurrence from `today`.

    Refuses impossible dates ("31 Feb", "2027-13-01") and numeric dates that read differently
    day-first and month-first ("03/04/2027").
    """
    if len(text) > MAX_DATE_TEXT:  # core/limits.py: dateutil is slow to refuse a long text
        raise Rejected("bad_date", value=text[:MAX_DATE_TEXT])
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return _checked(year, month, day, text=text, today=today)
    numeric = _NUMERIC.match(text)
    if numeric and numeric[1] != numeric[2] and int(numeric[1]) <= 12 and int(numeric[2]) <= 12:
        raise Rejected("ambiguous_date", value=text)
    try:
        first, second = (parser.parse(text, default=d, dayfirst=True) for d in _DEFAULTS)
    except (ValueError, OverflowError) as error:
        if "out of range" in str(error) or "must be in" in str(error):
            raise Rejected("impossible_date", value=text) from None
        raise Rejected("bad_date", value=text) from None
    if first.month != second.month or first.day != second.day:
        raise Rejected("incomplete_date", value=text)
    if first.year != second.year:
        return _next_occurrence(first.month, first.day, text=text, today=today)
    return _checked(first.year, first.month, first.day, text=text, today=today)


def _checked(year: int, month: int, day: int, *, text: str, today: date) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise Rejected("impossible_date", value=text) from None
    if abs(result.year - today.year) > MAX_YEARS_AHEAD:
        raise Rejected("far_date", value=text)
    return result


def _next_occurrence(month: int, day: int, *, text: str, today: date) -> date:
    for year in range(today.year, today.year + 8):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February outside a leap year
            continue
        if candidate >= today:
            return candidate
    raise Rejected("impossible_date", value=text)  # pragma: no cover - 29 Feb recurs within 8
