"""The weekly digest: on its day and hour in the workspace's zone, once a week, across
daylight-saving changes, one catch-up after downtime, new findings marked."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from db.deliveries import SKIPPED
from jobs.digest import run_digests
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import directory, posts, rows, workspace
from tests.slack_checks import all_text, assert_valid_message

CREATED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def passes(
    engine: Engine, fake: FakeSlack, start: datetime, end: datetime, step: timedelta
) -> list[datetime]:
    """Run the digest pass every `step` from `start` to `end`; when each digest went out."""
    slack = directory(fake)
    sent_at = []
    now = start
    while now <= end:
        if run_digests(engine, slack, now):
            sent_at.append(now)
        now += step
    return sent_at


NY_SUMMER, NY_WINTER = datetime(2026, 10, 26, 13, tzinfo=UTC), datetime(2026, 11, 2, 14, tzinfo=UTC)
BERLIN_SUMMER, BERLIN_WINTER = (
    datetime(2026, 10, 19, 7, tzinfo=UTC),
    datetime(2026, 10, 26, 8, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("zone", "first", "second"),
    [
        # DST ends on 1 Nov 2026 in New York: Monday 09:00 is 13:00 UTC, then 14:00 UTC.
        ("America/New_York", NY_SUMMER, NY_WINTER),
        # And on 25 Oct 2026 in Berlin: 09:00 is 07:00 UTC on 19 Oct, then 08:00 UTC.
        ("Europe/Berlin", BERLIN_SUMMER, BERLIN_WINTER),
    ],
)
def test_it_keeps_the_local_hour_across_the_autumn_change(
    engine: Engine, fake_slack: FakeSlack, zone: str, first: datetime, second: datetime
) -> None:
    workspace(engine, CREATED, f"timezone {zone}", "digest-channel <#CDIG|ai-infra>")
    week_before = first - timedelta(days=7)  # still summer time: the same UTC hour as `first`
    sent = passes(
        engine, fake_slack, week_before, second + timedelta(hours=6), timedelta(minutes=15)
    )
    assert sent == [week_before, first, second]
    assert len(posts(fake_slack, "CDIG")) == 3


def test_it_sends_a_digest_set_at_a_skipped_hour_once_in_spring(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    # 8 Mar 2026, New York: 02:00-03:00 does not happen. A Sunday 02:00 digest goes at 03:00 EDT.
    workspace(
        engine, datetime(2026, 2, 1, tzinfo=UTC), "timezone America/New_York", "digest-day sunday",
        "digest-hour 2", "digest-channel <#CDIG|ai-infra>",
    )  # fmt: skip
    assert run_digests(engine, directory(fake_slack), datetime(2026, 3, 1, 7, 0, tzinfo=UTC)) == 1
    start = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    sent = passes(engine, fake_slack, start, start + timedelta(days=2), timedelta(minutes=15))
    assert sent == [datetime(2026, 3, 8, 7, 0, tzinfo=UTC)]


def test_it_sends_one_catch_up_digest_after_ten_days_down(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    workspace(engine, CREATED, "digest-channel <#CDIG|ai-infra>")  # Monday 09:00 UTC
    slack = directory(fake_slack)
    assert run_digests(engine, slack, datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) == 1
    # Down from 3 Nov to 13 Nov: the digests of 9 Nov is missed, then one on coming back.
    assert run_digests(engine, slack, datetime(2026, 11, 13, 15, 0, tzinfo=UTC)) == 1
    assert run_digests(engine, slack, datetime(2026, 11, 13, 15, 5, tzinfo=UTC)) == 0
    assert run_digests(engine, slack, datetime(2026, 11, 16, 9, 0, tzinfo=UTC)) == 1
    assert [r.period for r in rows(engine)] == ["2026-W45", "2026-W46", "2026-W47"]


def test_it_reports_findings_spend_reviews_and_changes(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, CREATED, "digest-channel <#CDIG|ai-infra>")
    stack.ok('add "Tracker A" caps:experiment-tracking cost:100/mo owner:<@UALICE>')
    slack = directory(fake_slack)
    run_digests(engine, slack, datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    stack.now = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
    stack.ok(
        'add "Tracker B" caps:experiment-tracking cost:50/mo owner:<@UALICE> renews:2026-10-20'
    )
    run_digests(engine, slack, datetime(2026, 10, 12, 9, 0, tzinfo=UTC))
    _, second = posts(fake_slack, "CDIG")
    blocks: list[dict[str, Any]] = second["blocks"]  # type: ignore[assignment]
    message = {"text": str(second["text"]), "blocks": blocks}
    assert_valid_message(message)
    text = all_text(message)
    # Tracker B's contract can be left first (cancel by 20 Oct): it is the one to drop.
    assert ":new: Tracker A already does all that Tracker B is for (experiment-tracking)" in text
    [pair] = sorted(set(re.findall(r"`(dup-t\d+-t\d+)`", text)))  # in the findings and reviews
    assert (
        "Keep Tracker A, drop Tracker B for experiment-tracking: $50/mo, $600/yr, cancel by "
        f"20 Oct 2026. `{pair}`" in text
    )
    assert "Avoidable: $50 of $150/mo*, each tool counted once: Tracker B $50/mo" in text
    assert "$150/mo" in text  # spend
    assert "*Tracker B* due 20 Oct 2026" in text  # reviews due within 30 days
    assert "<@UALICE> added *Tracker B*" in text  # what changed this week
    assert "Tracker A*" not in text.split("What changed")[1]  # last week's change is not repeated
    buttons = [b["accessory"]["value"] for b in blocks if "accessory" in b]
    assert pair in buttons  # each finding can be accepted from the digest


def test_it_skips_an_empty_digest_when_asked(engine: Engine, fake_slack: FakeSlack) -> None:
    stack = workspace(engine, CREATED, "digest-channel <#CDIG|ai-infra>", "skip-empty-digest on")
    slack = directory(fake_slack)
    # The settings changes are this week's news; the week after has nothing in it.
    assert run_digests(engine, slack, datetime(2026, 10, 5, 9, 0, tzinfo=UTC)) == 1
    for layer in (
        "compute",
        "inference",
        "training",
        "data",
        "mlops",
        "observability",
        "governance",
    ):
        stack.ok(f'add "Own {layer}" {layer} owner:<@UALICE>')
    stack.ok('edit "Own governance" caps:access-control,audit-logging,compliance')
    run_digests(engine, slack, datetime(2026, 10, 12, 9, 0, tzinfo=UTC))
    assert run_digests(engine, slack, datetime(2026, 10, 19, 9, 0, tzinfo=UTC)) == 0
    assert rows(engine)[-1].status == SKIPPED
    assert "skipped" in all_text(stack.ok("status").message)
