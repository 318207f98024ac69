"""Owners who leave, seen by a user_change event or the daily users.list sweep, and reviews
that climb to the backup owner and then the stack admins: each exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import Tool
from jobs import people
from jobs.clock import run_pass
from jobs.deliver import retry
from jobs.people import sweep_users
from stack.people import user_changed
from tests.fake_slack import FakeSlack, rate_limited
from tests.jobs.helpers import TEAM, directory, posts, workspace
from tests.slack_checks import all_text, assert_valid_message

ADDED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DUE = datetime(2027, 1, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the review's due date


def _owners(engine: Engine) -> dict[str, tuple[str | None, str | None, str | None]]:
    with session_scope(engine) as session:
        return {
            t.name: (t.owner_id, t.former_owner_id, t.backup_owner_id)
            for t in session.exec(select(Tool)).all()
        }


def _setup(engine: Engine) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("admins add <@UADMIN>")
    stack.ok("add Arize owner:<@UBOB> backup:<@UCAROL> renews:2027-03-01 notice:30")
    stack.ok("add MLflow owner:<@UBOB>")
    stack.ok("add Pinecone owner:<@UDAN>")


def _checked(sent: dict[str, object]) -> str:
    message = {"text": sent["text"], "blocks": sent["blocks"]}
    assert_valid_message(message)
    return all_text(message)


def test_a_user_change_event_orphans_the_right_tools_once(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    _setup(engine)
    slack = directory(fake_slack)
    now = ADDED + timedelta(days=1)
    profile_edit = {"id": "UBOB", "team_id": TEAM, "deleted": False, "real_name": "Bob B."}
    assert user_changed(engine, team_id=TEAM, user=profile_edit, now=now) == 0
    left = {"id": "UBOB", "team_id": TEAM, "deleted": True}
    assert user_changed(engine, team_id=TEAM, user=left, now=now) == 2
    assert user_changed(engine, team_id=TEAM, user=left, now=now) == 0  # a retry
    assert posts(fake_slack, "CREV") == []  # queued on the request, posted by the clock's pass
    retry(engine, slack, now=now)
    assert _owners(engine) == {
        "Arize": (None, "UBOB", "UCAROL"),
        "MLflow": (None, "UBOB", None),
        "Pinecone": ("UDAN", None, None),
    }
    [note] = posts(fake_slack, "CREV")
    text = _checked(note)
    assert "<@UBOB> has left" in text
    assert "Arize and MLflow" in text
    assert "backup owner, <@UCAROL>" in text
    assert "<@UADMIN>" in text
    # The next day's sweep sees Bob deactivated too, and changes nothing more.
    fake_slack.users.update({"UBOB": {"deleted": True}, "UDAN": {}})
    assert sweep_users(engine, slack, now + timedelta(days=1)) == 0
    assert len(posts(fake_slack, "CREV")) == 1


def test_the_daily_sweep_pages_through_users_and_orphans_once(
    engine: Engine,
    fake_slack: FakeSlack,
    retry_sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _setup(engine)
    monkeypatch.setattr(people, "PAGE", 2)
    fake_slack.users.update({
        "UAMY": {}, "UBOB": {}, "UCAROL": {"deleted": True}, "UDAN": {"is_forgotten": True},
        "UEVE": {"deleted": True},  # left, but owned nothing
    })  # fmt: skip
    fake_slack.script("users.list", rate_limited(retry_after=3))  # Slack is busy at first
    slack = directory(fake_slack)
    now = ADDED + timedelta(days=1)
    assert sweep_users(engine, slack, now) == 1  # Pinecone; Carol only backed Arize up
    [slept] = retry_sleeps
    assert 3 <= slept < 4  # Retry-After, plus slack_sdk's jitter
    cursors = [c.params.get("cursor") for c in fake_slack.calls_to("users.list")]
    assert cursors == [None, None, "2", "4"]  # the 429, then three pages of two
    assert _owners(engine) == {
        "Arize": ("UBOB", None, None),
        "MLflow": ("UBOB", None, None),
        "Pinecone": (None, "UDAN", None),
    }
    assert sweep_users(engine, slack, now + timedelta(hours=2)) == 0  # once a day
    assert len(fake_slack.calls_to("users.list")) == 4
    assert sweep_users(engine, slack, now + timedelta(days=1)) == 0  # nothing new to find
    notes = [_checked(p) for p in posts(fake_slack, "CREV")]
    assert len(notes) == 1
    assert "<@UDAN> has left" in notes[0]


def test_an_unanswered_review_escalates_once_to_the_backup_then_once_to_the_admins(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    _setup(engine)
    now, end = DUE - timedelta(days=1), DUE + timedelta(weeks=8)
    slack = directory(fake_slack)
    while now < end:
        if now == DUE + timedelta(weeks=3, hours=6):
            slack = directory(fake_slack)  # the clock restarts: nothing but the rows remembers
        run_pass(engine, slack, now)
        now += timedelta(hours=6)  # 08:00 UTC, the reminder hour, is on every day's path
    to_carol = [_checked(p) for p in posts(fake_slack, "UCAROL")]
    assert len(to_carol) == 1
    assert "you are *Arize*’s backup owner, and 2 weekly reminders went unanswered" in to_carol[0]
    escalated = [t for t in (_checked(p) for p in posts(fake_slack, "CREV")) if "Escalated" in t]
    assert len(escalated) == 1
    assert "Stack admins (<@UADMIN>)" in escalated[0]
    weekly = [str(p["text"]) for p in posts(fake_slack, "CREV")]
    weekly = [t for t in weekly if t.startswith("Vendor review overdue")]
    assert len(weekly) == 7  # the weekly reminders go on alongside, one a week


def test_a_decision_stops_escalation_at_once(engine: Engine, fake_slack: FakeSlack) -> None:
    _setup(engine)
    slack = directory(fake_slack)
    for week in range(0, 4):  # due, then three weekly overdue reminders: Carol is asked
        run_pass(engine, slack, DUE + timedelta(weeks=week))
    assert len(posts(fake_slack, "UCAROL")) == 1
    stack = workspace(engine, DUE + timedelta(weeks=3, hours=2))
    stack.ok("review Arize keep still our drift tool", user="UCAROL")  # the backup may decide
    for week in range(4, 10):
        run_pass(engine, slack, DUE + timedelta(weeks=week))
    assert not [p for p in posts(fake_slack, "CREV") if "Escalated" in str(p["text"])]
