"""Every review decision moves the stages the clock sends: decided in the morning, that day's
pass sends nothing, and the next reminder comes on the day the reply names, not before."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from jobs.reviews import run_reviews
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import directory, posts, workspace
from tests.slack_checks import all_text

ADDED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LEAD_60 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
# The morning of the lead-30 stage (31 Dec), 07:00 in Berlin: before that day's 09:00 pass.
MORNING = datetime(2026, 12, 31, 6, 0, tzinfo=UTC)
MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8,
          "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}  # fmt: skip

# decision -> the day the reply promises the next reminder (None: never again).
# Arize renews 1 Mar 2027 with 30 days' notice: the cancel-by date, 30 Jan, is due.
EXPECTED = {
    "snooze": date(2027, 1, 7),  # quiet for 7 days, then one reminder on the new due date
    "snooze 7": date(2027, 1, 7),
    "snooze 30": date(2027, 1, 30),  # no lead reminder inside the snooze
    # The renewal still pending needs a reminder before its cancel-by date: the lead-7 stage.
    "renegotiate": date(2027, 1, 23),
    "replace": date(2027, 1, 23),
    # Reviewed: the next review is a year on (31 Dec 2027), its first reminder 60 days before.
    "keep": date(2027, 11, 1),
    "retire": None,
    "cancel": None,
}


def reminder_day(text: str) -> date | None:
    found = re.search(r"(?:comes on|first reminder on) (\d+) (\w{3}) (\d{4})", text)
    if found is None:
        return None
    day, month, year = found.groups()
    return date(int(year), MONTHS[month], int(day))


@pytest.mark.parametrize("decision", list(EXPECTED))
def test_it_sends_nothing_until_the_reminder_the_decision_names(
    engine: Engine, fake_slack: FakeSlack, decision: str
) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("add Arize cost:30k/yr owner:<@UALICE> renews:2027-03-01 notice:30")
    slack = directory(fake_slack)
    assert run_reviews(engine, slack, LEAD_60) == 1
    stack.now = MORNING
    reply = stack.ok(f"review Arize {decision} waiting on their offer", user="UALICE")
    promised = reminder_day(all_text(reply.message))
    assert promised == EXPECTED[decision], all_text(reply.message)
    last = promised or date(2028, 1, 31)
    day = MORNING.date()
    while day < last:
        # Every day's 09:00 pass (08:00 UTC), from the morning of the decision on.
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        assert run_reviews(engine, slack, at) == 0, f"{decision}: a reminder on {day}"
        day += timedelta(days=1)
    if promised is not None:
        at = datetime.combine(promised, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        assert run_reviews(engine, slack, at) == 1
        assert len(posts(fake_slack, "CREV")) == 2


def test_a_renegotiation_stays_open_for_the_final_word(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("add Arize cost:30k/yr owner:<@UALICE> renews:2027-03-01 notice:30")
    stack.now = MORNING
    stack.ok("review Arize renegotiate asking for 20% off", user="UALICE")
    assert run_reviews(engine, directory(fake_slack), datetime(2027, 1, 23, 8, tzinfo=UTC)) == 1
    stack.now = datetime(2027, 1, 25, 10, tzinfo=UTC)
    reply = stack.ok("review Arize keep they agreed", user="UALICE")
    assert "Reminders for this review stop" in all_text(reply.message)
    for days in range(0, 60):
        at = datetime(2027, 1, 25, 8, tzinfo=UTC) + timedelta(days=days)
        assert run_reviews(engine, directory(fake_slack), at) == 0


def test_a_snooze_is_undone_by_an_edit_that_starts_a_new_cycle(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("add Arize owner:<@UALICE> renews:2027-03-01 notice:30")
    stack.now = MORNING
    stack.ok("review Arize snooze 30", user="UALICE")
    stack.now = MORNING + timedelta(days=1)
    stack.ok("edit Arize renews:2027-02-20 notice:7")  # cancel-by 13 Feb: a new cycle
    # Its lead-30 stage (14 Jan) is sent again: the snooze belonged to the old cycle.
    assert run_reviews(engine, directory(fake_slack), datetime(2027, 1, 14, 8, tzinfo=UTC)) == 1
