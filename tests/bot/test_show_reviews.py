"""`/stack show` says where a tool's reminders go, and that a retired tool has no next review."""

from __future__ import annotations

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
