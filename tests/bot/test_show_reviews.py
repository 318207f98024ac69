"""`/stack show` and `/stack status` say where reminders and digests go, and a retired tool
has no next review; a workspace first seen by an import starts in its asker's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from db.engine import session_scope
from db.tools import get_workspace
from stack import Context
from stack.files import may_import
from tests.conftest import Stack
from tests.slack_checks import all_text


def test_it_says_no_review_channel_is_set_and_who_gets_the_reminder(stack: Stack) -> None:
    stack.ok("add Arize owner:<@UBOB> renews:2027-03-01")
    shown = all_text(stack.ok("show Arize").message)
    assert "review channel" in shown
    assert "no review channel is set, so a direct message to <@UBOB>" in shown
    assert "the workspace’s review channel" not in shown
    stack.ok("settings digest-channel <#CDIG|ai-infra>")
    assert "<#CDIG> (the digest channel: no review channel is set)" in all_text(
        stack.ok("show Arize").message
    )
    stack.ok("settings review-channel <#CREV|reviews>")
    assert "<#CREV> (the review channel)" in all_text(stack.ok("show Arize").message)


def test_it_shows_no_next_review_for_a_retired_tool(stack: Stack) -> None:
    stack.ok("add Arize renews:2027-03-01")
    stack.ok("remove Arize")
    shown = all_text(stack.ok("show Arize").message)
    assert "none: it is retired" in shown
    assert "Reminders go to" not in shown


def test_a_workspace_first_seen_by_an_import_starts_in_the_askers_zone(engine: Engine) -> None:
    asker = Context(
        team_id="T0NEW", user_id="UALICE", now=datetime(2026, 12, 7, 9, tzinfo=UTC),
        slack_admin=True, zone="America/Chicago",
    )  # fmt: skip
    assert may_import(engine, asker) is None  # `/stack import` checks before the form opens
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id="T0NEW")
        assert workspace is not None
        assert workspace.timezone == "America/Chicago"


def test_status_does_not_promise_a_digest_to_a_channel_nobody_set(stack: Stack) -> None:
    shown = all_text(stack.ok("status").message)
    assert "no digest channel is set, so it reaches only whoever installed stackbot" in shown
    stack.ok("settings digest-channel <#CDIG|ai-infra>")
    shown = all_text(stack.ok("status").message)
    assert "in <#CDIG>" in shown
    assert "no digest channel" not in shown
