"""The buttons under "did you mean …?": one runs the command corrected, the other as typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_bolt import Ack, BoltContext, Respond
from sqlmodel import select

from bot.listeners.actions.typo import add_as_typed, add_suggested
from bot.listeners.press import Work, acked
from db import open_store
from db.engine import session_scope
from db.models import Tool
from tests.fake_slack import FakeSlack


@pytest.mark.parametrize(
    ("work", "value", "added"),
    [
        (add_suggested, "add Pinecone data", "Pinecone"),
        (add_as_typed, "add Pinecon data", "Pinecon"),
    ],
)
def test_each_button_adds_what_it_says(
    tmp_path: Path, fake_slack: FakeSlack, work: Work, value: str, added: str
) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/s.db")
    context = BoltContext({"engine": engine, "team_id": "T0TEAM", "user_id": "UALICE"})
    hook = fake_slack.url + "response/p"
    body = {"response_url": hook, "channel": {"id": "C1"},
            "actions": [{"action_id": "x", "value": value}], "trigger_id": "t"}  # fmt: skip
    ack = Ack()  # type: ignore[no-untyped-call]  # Bolt leaves its __init__ unannotated
    acked(work)(ack, body, context, fake_slack.client(), Respond(response_url=hook))
    told = fake_slack.wait_for("response/p").params
    assert f"Added *{added}*" in str(told["blocks"]) or added in str(told["text"])
    with session_scope(engine, write=False) as session:
        assert [t.name for t in session.exec(select(Tool)).all()] == [added]
