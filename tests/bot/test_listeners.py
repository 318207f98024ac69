"""Listeners are plain functions: called here directly, with a real client on the fake Slack."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_bolt import BoltContext, Respond
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bot.listeners.commands.stack import stack_command
from bot.slack import Shared
from db import open_store
from tests.fake_slack import FakeSlack, error
from tests.slack_checks import all_text, assert_valid_message


def test_it_tells_the_person_when_the_work_after_the_ack_fails(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    broken = create_engine(f"sqlite:///{tmp_path}/no/such/folder/stack.db")
    context = BoltContext({"engine": Shared(broken), "team_id": "T0TEAM"})
    respond = Respond(response_url=fake_slack.url + "response/1")
    command = {"text": "list", "user_id": "UALICE", "channel_id": "C1", "trigger_id": "t"}
    with pytest.raises(OperationalError):
        stack_command(command, context, fake_slack.client(), respond)
    [reply] = fake_slack.calls_to("response/1")
    assert reply.params["response_type"] == "ephemeral"
    assert "went wrong on stackbot’s side" in reply.params["text"]


def test_a_form_that_opens_too_late_is_explained(tmp_path: Path, fake_slack: FakeSlack) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    fake_slack.script("views.open", error("expired_trigger_id"))
    context = BoltContext({"engine": Shared(engine), "team_id": "T0TEAM"})
    respond = Respond(response_url=fake_slack.url + "response/late")
    command = {"text": "add", "user_id": "UALICE", "channel_id": "C1", "trigger_id": "t"}
    stack_command(command, context, fake_slack.client(), respond)
    [reply] = fake_slack.calls_to("response/late")
    assert reply.params["response_type"] == "ephemeral"
    assert_valid_message(reply.params)
    assert "could not open" in reply.params["text"]
    assert "/stack add vLLM inference" in all_text(reply.params)
