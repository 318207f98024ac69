from __future__ import annotations

from datetime import date

import pytest

from core.dates import parse_date
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
