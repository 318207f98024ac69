"""Dates as people write them ("2027-03-01", "2027/03/01", "1 Mar 2027", "Mar 1, 2027").

A date that starts with its year is always year, month, day (ISO 8601 order); a numeric date
that reads differently day-first and month-first, or with a two-digit year, is refused with its
readings. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser

from core.errors import Rejected
from core.limits import MAX_DATE_TEXT

_YEAR_FIRST = re.compile(r"^\s*(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\s*$")
_NUMERIC = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?\.?\s*$")
# Two defaults that differ in every field: a field the text leaves out shows up as a difference.
# Both years are leap years so "29 Feb" parses against either.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 2, 2))  # noqa: DTZ001 - calendar dates only
MAX_YEARS_AHEAD = 50


def parse_date(text: str, *, today: date) -> date:
    """The calendar date `text` names; a date without a year is its next occurrence from `today`.

    Refuses impossible dates ("31 Feb", "2027-13-01") and numeric dates that can be read more
    than one way ("03/04/2027", "01/03/27"), naming the readings.
    """
    if len(text) > MAX_DATE_TEXT:  # core/limits.py: dateutil is slow to refuse a long text
        raise Rejected("bad_date", value=text[:MAX_DATE_TEXT])
    year_first = _YEAR_FIRST.match(text)
    if year_first:
        year, month, day = (int(year_first[n]) for n in (1, 3, 4))
        return _checked(year, month, day, text=text, today=today)
    numeric = _NUMERIC.match(text)
    if numeric:
        return _numeric(numeric, text=text, today=today)
    try:
        first = parser.parse(text, default=_DEFAULTS[0], dayfirst=True)
    except (ValueError, OverflowError) as error:
        # Impossible day-first (`30 Feb 1`) may still be a date read year-first (1 Feb 2030).
        others = _readings(text)
        if others:
            raise Rejected("ambiguous_date", value=text, readings=_dates(others)) from None
        if "out of range" in str(error) or "must be in" in str(error):
            raise Rejected("impossible_date", value=text) from None
        raise Rejected("bad_date", value=text) from None
    try:
        second = parser.parse(text, default=_DEFAULTS[1], dayfirst=True)
    except (ValueError, OverflowError):  # `31`: a day that February, the other default, lacks
        raise Rejected("incomplete_date", value=text) from None
    if first.month != second.month or first.day != second.day:
        raise Rejected("incomplete_date", value=text)
    _refuse_other_readings(text, first, has_year=first.year == second.year)
    if first.year != second.year:
        return _next_occurrence(first.month, first.day, text=text, today=today)
    return _checked(first.year, first.month, first.day, text=text, today=today)


def _refuse_other_readings(text: str, read: datetime, *, has_year: bool) -> None:
    """Refuse text the free-form parser reads differently day-first, month-first or year-first
    (`3/4 2027`, `Mar 1 27`): the forms above catch the usual ones, this catches the rest."""
    others = [r for r in _readings(text) if r != (read.day, read.month, read.year)]
    if others:
        found = [(read.day, read.month, read.year), *others]
        shown = _dates(found, year=0 if has_year else None)
        raise Rejected("ambiguous_date", value=text, readings=shown)


def _readings(text: str) -> list[tuple[int, int, int]]:
    """(day, month, year) of each way the free-form parser reads `text` month-first or
    year-first."""
    found: list[tuple[int, int, int]] = []
    for dayfirst, yearfirst in ((False, False), (True, True), (False, True)):
        try:
            read = parser.parse(text, default=_DEFAULTS[0], dayfirst=dayfirst, yearfirst=yearfirst)
        except (ValueError, OverflowError):
            continue
        if (read.day, read.month, read.year) not in found:
            found.append((read.day, read.month, read.year))
    return found


def _numeric(match: re.Match[str], *, text: str, today: date) -> date:
    """`13/04/2027`, `4/13/2027`, `13/4`: day and month are told apart only when one of them
    cannot be a month, and the year only when it has four digits (`01/03/27` might be 2001)."""
    a, b, year_text = int(match[1]), int(match[3]), match[4]
    readings = {(a, b), (b, a)} if a <= 12 and b <= 12 else {(a, b)} if b <= 12 else {(b, a)}
    if year_text is None:
        if len(readings) > 1:
            raise Rejected("ambiguous_date", value=text, readings=_words(readings, None))
        (day, month), *_ = readings
        return _next_occurrence(month, day, text=text, today=today)
    year = int(year_text)
    if len(year_text) == 2:
        # Day and month either way round, or year, month, day: the year is written in full.
        century = today.year // 100 * 100
        options = [(day, month, century + year) for day, month in sorted(readings)]
        options.append((year, b, century + a))
        found = _dates(options)
        if not found:
            raise Rejected("impossible_date", value=text)
        raise Rejected("ambiguous_date", value=text, readings=found)
    if len(readings) > 1:
        raise Rejected("ambiguous_date", value=text, readings=_words(readings, year))
    (day, month), *_ = readings
    if month > 12:
        raise Rejected("impossible_date", value=text)
    return _checked(year, month, day, text=text, today=today)


def _words(readings: set[tuple[int, int]], year: int | None) -> list[str]:
    """The readings of a numeric date as unambiguous text: `3 Apr 2027`, `4 Mar 2027`."""
    return _dates([(day, month, year or 2000) for day, month in sorted(readings)], year=year)


def _dates(options: list[tuple[int, int, int]], year: int | None = 0) -> list[str]:
    words = []
    for day, month, full_year in options:
        try:
            when = date(full_year, month, day)
        except ValueError:
            continue
        shown = f"{when.day} {when:%b}" + (f" {when.year}" if year is not None else "")
        if shown not in words:
            words.append(shown)
    return words


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
    raise Rejected("impossible_date", value=text)


@dataclass(frozen=True, slots=True)
class PastDate:
    """A renewal date that has already gone by: accepted (a contract may have renewed without
    anyone updating it), but the caller says so, since it is more often a typo for next year."""

    day: date
    days_ago: int
    next_year: date | None  # the same day a year on, if that is still ahead


def past_renewal(renews: date | None, *, today: date) -> PastDate | None:
    """Whether a renewal date lies before `today`, and what the person may have meant."""
    if renews is None or renews >= today:
        return None
    try:
        later = renews.replace(year=renews.year + 1)
    except ValueError:  # 29 February
        later = renews.replace(year=renews.year + 1, day=28)
    return PastDate(renews, (today - renews).days, later if later >= today else None)
