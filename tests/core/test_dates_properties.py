"""Property tests for dates: every usual way of writing a date reads back as that date or is
refused, so no text is read two ways."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.dates import parse_date, past_renewal
from core.errors import Rejected

TODAY = date(2026, 11, 28)
DATES = st.integers(min_value=-3000, max_value=9000).map(lambda n: TODAY + timedelta(days=n))
FORMATS = st.sampled_from(
    [
        "{d:%Y-%m-%d}", "{d:%Y/%m/%d}", "{d:%Y.%m.%d}", "{d.year}/{d.month}/{d.day}",
        "{d.day} {d:%b} {d.year}", "{d:%b} {d.day}, {d.year}", "{d.day} {d:%B} {d.year}",
        "{d:%d/%m/%Y}", "{d:%m/%d/%Y}", "{d:%d.%m.%Y}", "{d.month}/{d.day}/{d.year}",
        "{d:%d/%m/%y}", "{d:%m/%d/%y}", "{d:%y/%m/%d}", "{d.day}/{d.month} {d.year}",
        "{d.month}/{d.day} {d.year}", "{d.day} {d.month} {d.year}", "{d.month} {d.day} {d.year}",
        "{d:%b} {d.day} {d:%y}", "{d.day} {d:%b} {d:%y}", "{d:%y} {d:%b} {d.day}",
    ]
)  # fmt: skip


def _read(text: str) -> date | Rejected:
    try:
        return parse_date(text, today=TODAY)
    except Rejected as rejected:
        return rejected


@given(DATES, FORMATS)
def test_no_date_is_read_two_ways(day: date, form: str) -> None:
    """Day-first, month-first and year-first writings of one day either read as that day or are
    refused as ambiguous; so a text two writings share for two days is never read as either."""
    text = form.format(d=day)
    outcome = _read(text)
    if isinstance(outcome, Rejected):
        assert outcome.code == "ambiguous_date", text
    else:
        assert outcome == day, text


@given(DATES)
def test_an_iso_date_reads_back(day: date) -> None:
    assert parse_date(day.isoformat(), today=TODAY) == day


@given(DATES)
def test_a_renewal_is_past_exactly_when_it_is_before_today(day: date) -> None:
    assert (past_renewal(day, today=TODAY) is not None) == (day < TODAY)
