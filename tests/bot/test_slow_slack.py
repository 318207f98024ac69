"""Slack hears back at once whatever its API does: each case holds the Web API call a listener
makes until after the HTTP answer has come back (a held call would otherwise hang the answer)."""

from __future__ import annotations

import json
from typing import Any

from tests.bot.server import Server, team
from tests.fake_slack import FakeSlack, rate_limited
from tests.slack_checks import assert_valid_message

ALICE = "UALICE"


def press(fake: FakeSlack, t: str, action_id: str, value: str = "x") -> dict[str, Any]:
    return {
        "type": "block_actions", "team": {"id": t}, "user": {"id": ALICE}, "api_app_id": "A0APP",
        "trigger_id": f"trig-{action_id}", "response_url": fake.url + "response",
        "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
        "channel": {"id": "C1"},
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                     "action_ts": "1"}],
    }  # fmt: skip


def submission(t: str, name: str) -> dict[str, Any]:
    values = {
        "name": {"name": {"type": "external_select", "selected_option": {"value": f"new:{name}"}}},
        "layers": {
            "layers": {"type": "multi_static_select", "selected_options": [{"value": "data"}]}
        },
    }
    return {
        "type": "view_submission", "team": {"id": t}, "user": {"id": ALICE, "team_id": t},
        "api_app_id": "A0APP", "trigger_id": f"trig-{name}",
        "view": {"id": "V1", "team_id": t, "type": "modal", "callback_id": "tool_form",
                 "private_metadata": json.dumps({"channel": "C0CHAN", "tool": None}),
                 "hash": "h", "blocks": [], "state": {"values": values}},
    }  # fmt: skip


def test_the_add_form_is_acked_before_views_open_answers(server: Server, fake: FakeSlack) -> None:
    t = team(server)
    server.command("list", team=t, user=ALICE)  # the workspace exists
    held = fake.hold("views.open")
    ack = server.command("add", team=t, user=ALICE, reply=False)
    assert (ack.status, ack.body) == (200, b"")
    assert fake.wait_for("views.open").params["view"]["callback_id"] == "tool_form"
    held.set()


def test_a_button_that_opens_a_form_is_acked_before_views_open_answers(
    server: Server, fake: FakeSlack
) -> None:
    t = team(server)
    held = fake.hold("views.open")
    assert server.interaction(press(fake, t, "home_add_tool")).status == 200
    fake.wait_for("views.open")
    held.set()


def test_the_app_home_is_acked_before_views_publish_answers(
    server: Server, fake: FakeSlack
) -> None:
    t = team(server)
    held = fake.hold("views.publish")
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D1", "tab": "home"}
    assert server.event(event, team=t, event_id="EvSlowHome").status == 200
    fake.wait_for("views.publish")
    held.set()


def test_a_form_is_answered_before_its_post_and_a_rate_limit_falls_back_to_the_person(
    server: Server, fake: FakeSlack
) -> None:
    t = team(server)
    server.command("list", team=t, user=ALICE)
    held = fake.hold("chat.postMessage")
    answer = server.interaction(submission(t, "Slow Hub"))
    assert (answer.status, answer.body) == (200, b"")  # the form closes: valid for Slack
    fake.wait_for("chat.postMessage")
    held.set()
    fake.reset()
    # The channel is rate-limited past the one retry: the form still closes, the person hears.
    fake.script_for_channel("C0CHAN", rate_limited(retry_after=0), rate_limited(retry_after=0))
    answer = server.interaction(submission(t, "Busy Hub"))
    assert (answer.status, answer.body) == (200, b"")
    to_person = fake.wait_for("chat.postMessage", count=3)
    assert to_person.params["channel"] == ALICE
    assert_valid_message(to_person.params)
