"""People and proposals end to end: `stackbot serve` as a real process, signed requests, the
fake Slack Web API; every message checked against Slack's block models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.outbound import Directory
from jobs.deliver import retry
from tests.bot.server import Server, team
from tests.bot.test_http import assert_valid_view
from tests.fake_slack import FakeSlack
from tests.slack_checks import all_text, assert_valid_message

ADMIN = "UADMIN"  # a workspace admin, as Slack says
BOB = "UBOBBY"  # a member who owns Arize
CAROL = "UCAROLE"  # a member who proposes tools and owns none
DAN = "UDANNY"  # a member who owns nothing the proposals overlap


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.users.update({ADMIN: {"is_admin": True}, "UROBOT": {"is_bot": True}})
        yield fake


@pytest.fixture(scope="module")
def server(slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("people")
    running = Server(
        database_url=f"sqlite:///{folder}/stack.db", slack_url=slack.url, fake=slack,
        env={"SLACK_BOT_TOKEN": "xoxb-test"},
    )  # fmt: skip
    yield running
    running.stop()


@pytest.fixture
def fake(slack: FakeSlack) -> FakeSlack:
    slack.reset()
    return slack


def _rows(server: Server, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine: Engine = create_engine(server.database_url)
    with engine.connect() as connection:
        found = [tuple(r) for r in connection.execute(text(sql), params)]
    engine.dispose()
    return found


def _message(params: dict[str, Any]) -> dict[str, Any]:
    blocks = params["blocks"]
    message = {
        "text": params["text"],
        "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
    }
    assert_valid_message(message)
    return message


def _press(t: str, user: str, action_id: str, value: str, hook: str) -> dict[str, Any]:
    return {
        "type": "block_actions", "team": {"id": t}, "user": {"id": user}, "api_app_id": "A0APP",
        "trigger_id": "trig", "response_url": hook,
        "container": {"type": "message", "channel_id": "CREV", "message_ts": "1700000000.000200"},
        "channel": {"id": "CREV"},
        "actions": [{"action_id": action_id, "block_id": "proposal_actions", "type": "button",
                     "value": value, "action_ts": "1"}],
    }  # fmt: skip


def test_a_user_change_event_orphans_the_right_tools_once(server: Server, fake: FakeSlack) -> None:
    t = team(server)  # the clock posts only to the workspace its token belongs to
    server.command("settings review-channel <#CREV|reviews>", team=t, user=ADMIN)
    server.command("add Arize owner:<@UGONER> backup:<@UBOBBY>", team=t, user=ADMIN)
    server.command("add MLflow owner:<@UBOBBY>", team=t, user=ADMIN)
    edit = {"type": "user_change", "user": {"id": "UGONER", "team_id": t, "real_name": "G."}}
    assert server.event(edit, team=t, event_id="Ev1").status == 200
    gone = {"type": "user_change", "user": {"id": "UGONER", "team_id": t, "deleted": True}}
    assert server.event(gone, team=t, event_id="Ev2").status == 200
    assert server.event(gone, team=t, event_id="Ev2", retry=1).status == 200  # Slack retries
    assert server.event(gone, team=t, event_id="Ev3").status == 200  # and a second event
    owners = _rows(
        server,
        "SELECT tool.name, owner_id, former_owner_id FROM tool JOIN workspace"
        " ON workspace.id = tool.workspace_id WHERE team_id = :t ORDER BY tool.name",
        t=t,
    )
    assert owners == [("Arize", None, "UGONER"), ("MLflow", "UBOBBY", None)]
    events = _rows(server, "SELECT action FROM audit_event WHERE actor = 'UGONER'")
    assert events == [("owner-left",)]
    # The admins' note waits for the clock, which posts it once.
    assert fake.calls_to("chat.postMessage") == []
    clock = Directory(base_url=fake.url, token="xoxb-test")
    clock_engine = create_engine(server.database_url)
    now = datetime.now(UTC)
    assert retry(clock_engine, clock, now=now) >= 1
    assert retry(clock_engine, clock, now=now) == 0
    clock_engine.dispose()
    notes = [c.params for c in fake.calls_to("chat.postMessage") if "<@UGONER>" in str(c.params)]
    [note] = notes
    assert "<@UGONER> has left" in all_text(_message(note))
    shown = server.command("show Arize", team=t, user=ADMIN).json()
    assert "<@UGONER> left" in all_text(shown)


def test_it_refuses_a_bot_as_owner_over_http(
    server: Server, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    refused = server.command("add Arize owner:<@UROBOT>", team=t, user=ADMIN).json()
    assert "is a bot or an app" in all_text(refused)
    assert "no tool" in all_text(server.command("show Arize", team=t, user=ADMIN).json()).lower()


def test_a_proposal_goes_from_command_to_approval(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("settings review-channel <#CREV|reviews>", team=t, user=ADMIN)
    server.command("add Arize cost:2500/mo owner:<@UBOBBY>", team=t, user=ADMIN)
    fake.reset()
    answer = server.command("propose WhyLabs cost:1200/mo drift alerts", team=t, user=CAROL)
    reply = answer.json()
    assert reply["response_type"] == "ephemeral"
    assert_valid_message(reply)
    assert "you already pay for *Arize* ($2,500/mo), owned by <@UBOBBY>" in all_text(reply)
    assert "$1,200/mo at stake" in all_text(reply)
    posted = _message(fake.wait_for("chat.postMessage").params)
    assert fake.calls_to("chat.postMessage")[0].params["channel"] == "CREV"
    buttons = {e["action_id"]: e["value"] for b in posted["blocks"] if b["type"] == "actions"
               for e in b["elements"]}  # fmt: skip
    value = buttons["proposal_approve"]
    # Dan owns nothing it overlaps and is no admin: told so, only him, nothing changes.
    fake.reset()
    assert (
        server.interaction(_press(t, DAN, "proposal_approve", value, fake.url + "r1")).status == 200
    )
    refused = fake.wait_for("r1").params
    assert refused["replace_original"] is False
    assert "Only stack admins and the owners" in all_text(_message(refused))
    # Bob owns Arize, which it overlaps: approved, the post replaced, Carol told by DM.
    assert (
        server.interaction(_press(t, BOB, "proposal_approve", value, fake.url + "r2")).status == 200
    )
    done = fake.wait_for("r2").params
    assert done["replace_original"] is True
    assert "approved by <@UBOBBY>" in all_text(_message(done))
    dm = fake.wait_for("chat.postMessage").params  # after the answer, on a thread of its own
    assert dm["channel"] == CAROL
    assert "Your proposal of *WhyLabs* was approved" in all_text(_message(dm))
    listing = server.command("list", team=t, user=ADMIN).json()
    assert "WhyLabs" in all_text(listing)
    # Pressed again by the admin: approved already, nothing added twice.
    assert (
        server.interaction(_press(t, ADMIN, "proposal_approve", value, fake.url + "r3")).status
        == 200
    )
    assert "approved already" in all_text(_message(fake.wait_for("r3").params))
    # A button from another workspace: tests/bot/test_proposals.py (one token, one team here).


def test_a_proposal_goes_from_command_to_decline_with_a_reason(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("settings review-channel <#CREV|reviews>", team=t, user=ADMIN)
    server.command("add Arize cost:2500/mo owner:<@UBOBBY>", team=t, user=ADMIN)
    fake.reset()
    server.command("propose WhyLabs cost:1200/mo", team=t, user=CAROL)
    posted = _message(fake.wait_for("chat.postMessage").params)
    value = next(e["value"] for b in posted["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == "proposal_decline")  # fmt: skip
    fake.reset()
    # A member who may not decide is told before any form opens.
    assert (
        server.interaction(_press(t, DAN, "proposal_decline", value, fake.url + "d1")).status == 200
    )
    assert "Only stack admins" in all_text(_message(fake.wait_for("d1").params))
    assert fake.calls_to("views.open") == []
    assert (
        server.interaction(_press(t, ADMIN, "proposal_decline", value, fake.url + "d2")).status
        == 200
    )
    view = fake.wait_for("views.open").params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "decline_form"
    assert_valid_view(view)

    def submit(reason: str) -> dict[str, Any]:
        return {
            "type": "view_submission", "team": {"id": t}, "user": {"id": ADMIN, "team_id": t},
            "api_app_id": "A0APP", "trigger_id": "trig",
            "view": {"id": "V9", "team_id": t, "type": "modal", "callback_id": "decline_form",
                     "private_metadata": view["private_metadata"], "hash": "h", "blocks": [],
                     "state": {"values": {"reason": {"reason": {"type": "plain_text_input",
                                                                "value": reason}}}}},
        }  # fmt: skip

    empty = server.interaction(submit("  ")).json()
    assert empty["response_action"] == "errors"
    assert "Say why" in empty["errors"]["reason"]
    assert server.interaction(submit("Arize watches drift")).status == 200
    update = fake.wait_for("chat.update")  # after the answer, on a thread of its own
    assert (update.params["channel"], update.params["ts"]) == ("CREV", "1700000000.000200")
    assert "declined by <@UADMIN>" in all_text(_message(update.params))
    dm = fake.wait_for("chat.postMessage").params
    assert dm["channel"] == CAROL
    assert "Why: Arize watches drift" in all_text(_message(dm))
    assert "WhyLabs" not in all_text(server.command("list", team=t, user=ADMIN).json())
