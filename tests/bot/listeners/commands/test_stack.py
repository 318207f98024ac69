"""Listeners are plain functions: called here directly, with a real client on the fake Slack."""

from __future__ import annotations

from pathlib import Path

from slack_bolt import Respond

from bot.listeners.commands.stack import open_form
from bot.slack import person_context
from db import open_store
from stack.forms.tool import FormRequest
from tests.fake_slack import FakeSlack, error
from tests.slack_checks import all_text, assert_valid_message


def test_a_form_that_opens_too_late_is_explained(tmp_path: Path, fake_slack: FakeSlack) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    fake_slack.script("views.open", error("expired_trigger_id"))
    client = fake_slack.client()
    stack = person_context(client, team_id="T0TEAM", user_id="UALICE", channel_id="C1")
    respond = Respond(response_url=fake_slack.url + "response/late")
    open_form(engine, stack, client, FormRequest(None), "trigger", respond)
    [reply] = fake_slack.calls_to("response/late")
    assert reply.params["response_type"] == "ephemeral"
    assert_valid_message(reply.params)
    assert "could not open" in reply.params["text"]
    assert "/stack add vLLM inference" in all_text(reply.params)


def test_the_edit_form_for_a_tool_that_is_not_there_says_so(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    client = fake_slack.client()
    stack = person_context(client, team_id="T0TEAM", user_id="UALICE", channel_id="C1")
    respond = Respond(response_url=fake_slack.url + "response/none")
    open_form(engine, stack, client, FormRequest("Zorblax"), "trigger", respond)
    assert fake_slack.calls_to("views.open") == []
    [reply] = fake_slack.calls_to("response/none")
    assert "no tool called" in all_text(reply.params)
