"""When a tool's vendor review is due."""

from __future__ import annotations

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
