"""A workspace on the fake Slack's team, set up through /stack as a person would."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.outbound import Directory
from db.engine import session_scope
from db.models import Delivery
from tests.conftest import Stack
from tests.fake_slack import FakeSlack

TEAM = "T0TEAM"  # the team the fake Slack's token belongs to


def workspace(engine: Engine, now: datetime, *settings: str) -> Stack:
    stack = Stack(engine, team=TEAM)
    stack.now = now
    for setting in settings:
        stack.ok(f"settings {setting}")
    return stack


def directory(fake: FakeSlack) -> Directory:
    from tests.conftest import FakeClock

    clock = FakeClock()
    return Directory(base_url=fake.url, token="xoxb-test", clock=clock, sleep=clock.sleep)


def posts(fake: FakeSlack, channel: str | None = None) -> list[dict[str, object]]:
    """Messages Slack accepted (a scripted failure is not a post)."""
    return [
        call.params
        for call in fake.calls_to("chat.postMessage")
        if channel is None or call.params.get("channel") == channel
    ]


def rows(engine: Engine) -> list[Delivery]:
    with session_scope(engine) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())
