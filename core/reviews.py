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
# Decisions that still have work before a pending cancel-by date: the contract is being
# renegotiated or replaced, so its next reminder comes before the last day to cancel, and the
# cycle stays open for the final word (keep or retire).
PENDING = frozenset({"renegotiate", "replace"})
SNOOZES = frozenset({"snooze-7", "snooze-30"})
DECISION_WORDS = {
    "keep": "keep", "kept": "keep", "renew": "keep",
    "renegotiate": "renegotiate", "negotiate": "renegotiate",
    "replace": "replace", "retire": "retire", "drop": "retire", "cancel": "retire",
    "snooze": "snooze-7", "snooze7": "snooze-7", "snooze-7": "snooze-7",
    "snooze30": "snooze-30", "snooze-30": "snooze-30",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision does to a tool's review dates."""

    next_review_on: date | None
    last_review_on: date | None
    retire: bool = False


def cancel_by(renews_on: date | None, notice_days: int | None) -> date | None:
    """The last day to cancel before a renewal."""
    if renews_on is None:
        return None
    return renews_on - timedelta(days=notice_days or 0)


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
    fell in that cycle is what was just decided; the next one to watch is a year later, unless
    the decision (renegotiate, replace) still needs that cancel-by date: then it is the next
    review, so a reminder comes before it."""
    pending = cancel_by(renews_on, notice_days)
    if decision in PENDING and pending is not None and pending > today:
        return Outcome(next_review_on=pending, last_review_on=today)
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
