"""When a tool's vendor review is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

REVIEW_EVERY = relativedelta(years=1)


def next_review(
    *, since: date, renews_on: date | None = None, notice_days: int | None = None
) -> date:
    """A year after `since` (the day a tool was added or last reviewed), or the last day to cancel
    before its renewal, whichever comes first. relativedelta lands 29 February on 28 February.
    """
    due = since + REVIEW_EVERY
    if renews_on is not None:
        cancel_by = renews_on - timedelta(days=notice_days or 0)
        if cancel_by > since:
            due = min(due, cancel_by)
    return due


DECISIONS = ("keep", "renegotiate", "replace", "retire", "snooze-7", "snooze-30")
# A decision that completes the review: the next one is a year away (or before the cancel-by).
REVIEWED = frozenset({"keep", "renegotiate", "replace"})
DECISION_WORDS = {
    "keep": "keep", "kept": "keep", "renew": "keep",
    "renegotiate": "renegotiate", "negotiate": "renegotiate",
    "replace": "replace", "retire": "retire", "drop": "retire",
    "snooze": "snooze-7", "snooze7": "snooze-7", "snooze-7": "snooze-7",
    "snooze30": "snooze-30", "snooze-30": "snooze-30",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision does to a tool's review dates."""

    next_review_on: date | None
    last_review_on: date | None
    retire: bool = False


def decide(
    decision: str,
    *,
    today: date,
    cycle_due: date,
    last_review_on: date | None,
    renews_on: date | None,
    notice_days: int | None,
) -> Outcome:
    """`cycle_due` is the due date of the review being decided. A renewal whose cancel-by date
    fell in that cycle is what was just decided; the next one to watch is a year later."""
    if decision in REVIEWED:
        renewal = renews_on
        if renewal is not None and renewal - timedelta(days=notice_days or 0) <= cycle_due:
            renewal = renewal + REVIEW_EVERY
        due = next_review(since=today, renews_on=renewal, notice_days=notice_days)
        return Outcome(next_review_on=due, last_review_on=today)
    if decision == "retire":
        return Outcome(next_review_on=None, last_review_on=today, retire=True)
    days = int(decision.removeprefix("snooze-"))
    return Outcome(next_review_on=today + timedelta(days=days), last_review_on=last_review_on)
