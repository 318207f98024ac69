"""The opening every button and event listener shares (bot/listeners/press.py)."""

from __future__ import annotations

from pathlib import Path

from slack_bolt import Ack, BoltContext, Respond

from bot.listeners.press import Press, acked
from db import open_store
from tests.fake_slack import FakeSlack


def test_it_acks_first_and_tells_the_person_when_the_work_after_fails(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    seen: list[Press] = []

    def broken(press: Press) -> None:
        seen.append(press)
        raise RuntimeError("a bug")

    ack = Ack()  # type: ignore[no-untyped-call]  # Bolt leaves its __init__ unannotated
    context = BoltContext(
        {"engine": open_store(f"sqlite:///{tmp_path}/s.db"), "team_id": "T0TEAM",
         "user_id": "UALICE"}
    )  # fmt: skip
    hook = fake_slack.url + "response/p"
    body = {"response_url": hook, "channel": {"id": "C1"},
            "actions": [{"action_id": "x", "value": "v"}], "trigger_id": "t"}  # fmt: skip
    listener = acked(broken)
    assert listener.__name__ == "broken"
    listener(ack, body, context, fake_slack.client(), Respond(response_url=hook))
    assert ack.response is not None
    assert ack.response.status == 200
    told = fake_slack.wait_for("response/p").params
    assert "went wrong on stackbot’s side" in told["text"]
    assert told["response_type"] == "ephemeral"
    [press] = seen
    assert (press.stack.user_id, press.stack.channel_id, press.value) == ("UALICE", "C1", "v")
