"""Review reminders: each stage at its local hour, once; missed stages collapse; decisions stop
them; failures fall back and are retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from db.deliveries import UNDELIVERABLE
from db.models import FAILED, SENT
from jobs.deliver import retry
from jobs.reviews import run_reviews
from tests.fake_slack import FakeSlack, error, server_error
from tests.jobs.helpers import directory, posts, rows, workspace
from tests.slack_checks import all_text, assert_valid_message

ADDED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
# Renews 1 Mar 2027 with 30 days' notice: the review is due on the cancel-by date, 30 Jan 2027.
# Europe/Berlin is UTC+1 in winter, so 09:00 there is 08:00 UTC.
LEAD_60 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LEAD_30 = datetime(2026, 12, 31, 8, 0, tzinfo=UTC)
DUE = datetime(2027, 1, 30, 8, 0, tzinfo=UTC)


def setup(engine: Engine) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("add Arize cost:30k/yr owner:<@UALICE> renews:2027-03-01 notice:30")


def test_it_sends_each_stage_at_the_local_hour_once(engine: Engine, fake_slack: FakeSlack) -> None:
    setup(engine)
    slack = directory(fake_slack)
    assert run_reviews(engine, slack, LEAD_60 - timedelta(minutes=1)) == 0
    assert run_reviews(engine, slack, LEAD_60) == 1
    assert run_reviews(engine, slack, LEAD_60 + timedelta(minutes=5)) == 0
    assert run_reviews(engine, slack, LEAD_30 + timedelta(hours=3)) == 1
    sent = posts(fake_slack, "CREV")
    assert len(sent) == 2
    message = {"text": sent[0]["text"], "blocks": sent[0]["blocks"]}
    assert_valid_message(message)
    assert "due in 60 days, on 30 Jan 2027" in all_text(message)
    assert "<@UALICE>" in all_text(message)
    assert [r.key.rsplit(":", 1)[1] for r in rows(engine)] == ["lead-60", "lead-30"]


def test_it_collapses_missed_stages_into_the_latest(engine: Engine, fake_slack: FakeSlack) -> None:
    setup(engine)
    slack = directory(fake_slack)
    # The clock was down from before the first stage until two days after the due date.
    assert run_reviews(engine, slack, DUE + timedelta(days=2)) == 1
    assert run_reviews(engine, slack, DUE + timedelta(days=2, hours=1)) == 0
    [sent] = posts(fake_slack)
    assert "overdue since 30 Jan 2027" in str(sent["text"])
    # Then one overdue reminder a week until someone decides.
    assert run_reviews(engine, slack, DUE + timedelta(days=7)) == 1
    assert run_reviews(engine, slack, DUE + timedelta(days=8)) == 0


def test_it_stops_reminding_once_someone_decides(engine: Engine, fake_slack: FakeSlack) -> None:
    setup(engine)
    slack = directory(fake_slack)
    assert run_reviews(engine, slack, LEAD_60) == 1
    stack = workspace(engine, LEAD_60 + timedelta(hours=1))
    stack.ok("review Arize keep still the best drift tool we tried", user="UALICE")
    for days in (30, 53, 60, 67, 100):
        assert run_reviews(engine, slack, LEAD_60 + timedelta(days=days)) == 0
    assert "next review" in all_text(stack.ok("history Arize").message)


def test_it_does_not_remind_of_stages_before_the_tool_was_added(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, LEAD_30 + timedelta(hours=2), "review-channel <#CREV|reviews>")
    stack.ok("add Pinecone renews:2027-01-10")  # due in 10 days: lead-60 and lead-30 are past
    slack = directory(fake_slack)
    assert run_reviews(engine, slack, stack.now + timedelta(minutes=5)) == 0
    assert run_reviews(engine, slack, datetime(2027, 1, 3, 9, 0, tzinfo=UTC)) == 1  # lead-7


def test_it_retries_a_post_that_failed_and_never_doubles_it(
    engine: Engine, fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    setup(engine)
    slack = directory(fake_slack)
    fake_slack.script("chat.postMessage", *[server_error()] * 3)  # the client's retries run out
    assert run_reviews(engine, slack, LEAD_60) == 1
    [row] = rows(engine)
    assert row.status == FAILED
    assert run_reviews(engine, slack, LEAD_60 + timedelta(minutes=5)) == 0  # claimed already
    assert retry(engine, slack, now=LEAD_60 + timedelta(minutes=5)) == 1
    [row] = rows(engine)
    assert row.status == SENT
    assert row.attempts == 2
    delivered = fake_slack.calls_to("chat.postMessage")[-1]
    assert delivered.params["channel"] == "CREV"
    assert retry(engine, slack, now=LEAD_60 + timedelta(minutes=10)) == 0


def test_it_falls_back_to_the_owner_when_the_channel_is_gone(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    setup(engine)
    fake_slack.script_for_channel("CREV", error("channel_not_found"))
    assert run_reviews(engine, directory(fake_slack), LEAD_60) == 1
    [row] = rows(engine)
    assert (row.status, row.error, row.channel) == (SENT, "channel_not_found", "DUALICE")
    dm = posts(fake_slack, "DUALICE")[0]
    assert "could not be reached (channel_not_found)" in str(dm["blocks"])
    status = all_text(workspace(engine, LEAD_60).ok("status").message)
    assert "(channel_not_found), sent to <@UALICE> instead" in status


def test_it_records_what_it_could_not_deliver(engine: Engine, fake_slack: FakeSlack) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin")  # no channel and no owner
    stack.ok("add Arize renews:2027-03-01 notice:30")
    assert run_reviews(engine, directory(fake_slack), LEAD_60) == 1
    [row] = rows(engine)
    assert (row.status, row.error) == (UNDELIVERABLE, "no_channel")
    assert posts(fake_slack) == []
    assert "no_channel" in all_text(workspace(engine, LEAD_60).ok("status").message)


def test_it_also_dms_the_owner_when_asked(engine: Engine, fake_slack: FakeSlack) -> None:
    setup(engine)
    workspace(engine, ADDED, "dm-owners on")
    run_reviews(engine, directory(fake_slack), LEAD_60)
    assert len(posts(fake_slack, "CREV")) == 1
    assert len(posts(fake_slack, "DUALICE")) == 1


def test_it_offers_i_own_this_for_a_tool_nobody_owns(engine: Engine, fake_slack: FakeSlack) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("add Arize renews:2027-03-01 notice:30")
    run_reviews(engine, directory(fake_slack), LEAD_60)
    [sent] = posts(fake_slack)
    blocks: list[dict[str, Any]] = sent["blocks"]  # type: ignore[assignment]
    actions = [b for b in blocks if b["type"] == "actions"]
    ids = [e["action_id"] for e in actions[0]["elements"]]
    assert ids[:6] == ["review_keep", "review_renegotiate", "review_replace", "review_retire",
                       "review_snooze-7", "review_snooze-30"]  # fmt: skip
    assert ids[-1] == "review_own"


def test_it_keeps_the_reminder_hour_across_daylight_saving(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    # Added in New York summer time; the 7-day reminder falls after DST ended on 1 Nov 2026.
    stack = workspace(
        engine, datetime(2026, 10, 1, 12, tzinfo=UTC), "timezone America/New_York",
        "review-channel <#CREV|reviews>", "review-leads 30,7",
    )  # fmt: skip
    stack.ok("add Pinecone renews:2026-11-10")  # due on the renewal date: no notice given
    slack = directory(fake_slack)
    sent = []
    now = datetime(2026, 10, 10, 0, tzinfo=UTC)
    while now < datetime(2026, 11, 11, 0, tzinfo=UTC):
        if run_reviews(engine, slack, now):
            sent.append(now)
        now += timedelta(hours=1)
    # 09:00 EDT is 13:00 UTC; 09:00 EST is 14:00 UTC.
    assert sent == [
        datetime(2026, 10, 11, 13, tzinfo=UTC),
        datetime(2026, 11, 3, 14, tzinfo=UTC),
        datetime(2026, 11, 10, 14, tzinfo=UTC),
    ]


def test_it_refuses_to_decide_the_review_of_a_retired_tool(engine: Engine) -> None:
    stack = workspace(engine, ADDED)
    stack.ok("add Arize renews:2027-03-01")
    stack.ok("remove Arize")
    reply = stack("review Arize keep")
    assert not reply.ok
    assert "retired" in all_text(reply.message)
