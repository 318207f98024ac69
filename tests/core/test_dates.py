from __future__ import annotations

from datetime import date

import pytest

from core.dates import PastDate, parse_date, past_renewal
from core.errors import Rejected
from core.reviews import Outcome, decide, next_review

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-01", date(2027, 3, 1)),
        ("1 Mar 2027", date(2027, 3, 1)),
        ("Mar 1, 2027", date(2027, 3, 1)),
        ("13/04/2027", date(2027, 4, 13)),
        ("1 Mar", date(2027, 3, 1)),  # no year: the next one
        ("30 Nov", date(2026, 11, 30)),
        ("29 Feb", date(2028, 2, 29)),
    ],
)
def test_it_reads_dates_as_people_write_them(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31 Feb", "impossible_date"),
        ("2027-13-01", "impossible_date"),
        ("2027-02-29", "impossible_date"),
        ("03/04/2027", "ambiguous_date"),
        ("Mar 2027", "incomplete_date"),
        ("banana", "bad_date"),
        ("2999-01-01", "far_date"),
    ],
)
def test_it_refuses_impossible_or_ambiguous_dates(text: str, code: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_date(text, today=TODAY)
    assert caught.value.code == code


def test_it_reviews_a_year_after_adding() -> None:
    assert next_review(since=date(2026, 11, 28)) == date(2027, 11, 28)


def test_it_lands_29_february_on_28_february() -> None:
    assert next_review(since=date(2028, 2, 29)) == date(2029, 2, 28)


def test_it_reviews_before_the_cancel_by_date_when_that_comes_first() -> None:
    due = next_review(since=date(2026, 11, 28), renews_on=date(2027, 3, 1), notice_days=60)
    assert due == date(2026, 12, 31)


def test_it_ignores_a_renewal_already_past_its_cancel_by_date() -> None:
    due = next_review(since=date(2026, 11, 28), renews_on=date(2026, 12, 1), notice_days=30)
    assert due == date(2027, 11, 28)


def test_it_moves_past_a_renewal_the_decision_was_about() -> None:
    outcome = decide(
        "keep", today=date(2026, 12, 20), cycle_due=date(2026, 12, 31),
        last_review_on=None, renews_on=date(2027, 3, 1), notice_days=60,
    )  # fmt: skip
    assert outcome.last_review_on == date(2026, 12, 20)
    assert outcome.next_review_on == date(2027, 12, 20)  # a year on; next cancel-by is Dec 31


def test_it_snoozes_without_marking_the_tool_reviewed() -> None:
    outcome = decide(
        "snooze-30", today=date(2026, 12, 20), cycle_due=date(2026, 12, 31),
        last_review_on=date(2025, 12, 1), renews_on=None, notice_days=None,
    )  # fmt: skip
    assert outcome == Outcome(next_review_on=date(2027, 1, 19), last_review_on=date(2025, 12, 1))


def test_it_retires_on_retire() -> None:
    outcome = decide(
        "retire", today=date(2026, 12, 20), cycle_due=date(2026, 12, 31),
        last_review_on=None, renews_on=None, notice_days=None,
    )  # fmt: skip
    assert outcome.retire
    assert outcome.next_review_on is None


# Issue 17: year-first dates are always year, month, day; anything read two ways is refused
# with its readings; a renewal in the past is accepted and the caller told.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027/03/01", date(2027, 3, 1)),
        ("2027/12/31", date(2027, 12, 31)),
        ("2027.03.01", date(2027, 3, 1)),
        ("2027/3/1", date(2027, 3, 1)),
        ("4/13/2027", date(2027, 4, 13)),
        ("13/3", date(2027, 3, 13)),
        ("12/25", date(2026, 12, 25)),
    ],
)
def test_it_reads_year_first_dates_in_iso_order(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("03/04/2027", ["3 Apr 2027", "4 Mar 2027"]),
        ("3.4.2027", ["3 Apr 2027", "4 Mar 2027"]),
        ("1/3", ["1 Mar", "3 Jan"]),
        ("13/04/27", ["13 Apr 2027", "27 Apr 2013"]),
        ("01/03/27", ["1 Mar 2027", "3 Jan 2027", "27 Mar 2001"]),
        ("3/4 2027", ["3 Apr 2027", "4 Mar 2027"]),
        ("3 4", ["3 Apr", "4 Mar"]),
        ("1 Mar 27", ["1 Mar 2027", "27 Mar 2001"]),
    ],
)
def test_it_refuses_a_date_it_could_read_two_ways_with_the_readings(
    text: str, readings: list[str]
) -> None:
    with pytest.raises(Rejected) as caught:
        parse_date(text, today=TODAY)
    assert caught.value.code == "ambiguous_date"
    assert caught.value.details["readings"] == readings


def test_it_says_when_a_renewal_date_is_already_past() -> None:
    assert past_renewal(date(2026, 3, 1), today=TODAY) == PastDate(
        day=date(2026, 3, 1), days_ago=272, next_year=date(2027, 3, 1)
    )
    assert past_renewal(date(2025, 3, 1), today=TODAY) == PastDate(
        day=date(2025, 3, 1), days_ago=637, next_year=None
    )
    assert past_renewal(TODAY, today=TODAY) is None
    assert past_renewal(None, today=TODAY) is None
