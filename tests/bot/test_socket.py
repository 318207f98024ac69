"""`stackbot socket` end to end: a real process, slack_sdk's Socket Mode client, and a fake Slack
that serves apps.connections.open (tests/fake_slack.py) and the websocket it names
(tests/fake_socket.py). A slash command, a button and a form are acked over the socket and
answered, before and after Slack asks the client to reconnect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.bot.test_slow_slack import press, submission
from tests.fake_slack import FakeSlack
from tests.fake_socket import FakeSocket

ROOT = Path(__file__).parents[2]
TEAM = "T0TEAM"  # the fake's auth.test says the bot token belongs here


def socket_env(tmp_path: Path, fake: FakeSlack, app_token: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path}/socket.db",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": app_token,
        "SLACK_API_URL": fake.url,
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }


def test_commands_buttons_and_forms_come_over_the_socket_are_acked_there_and_answered(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    with FakeSocket() as socket:
        fake_slack.socket_url = socket.url
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "socket", "--with-worker"],
            env=socket_env(tmp_path, fake_slack, "xapp-1-A0APP-test"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert socket.connected.wait(60), "stackbot socket never connected"
            socket.send(command_envelope("env-1", "add vLLM inference", fake_slack.url + "r/1"))
            ack = socket.wait_for_ack("env-1")
            assert ack.get("payload") in (None, {}, "")  # acked empty: the answer follows
            answer = fake_slack.wait_for("r/1").params
            assert answer["response_type"] == "in_channel"
            assert "vLLM" in json.dumps(answer)
            # Slack asks a client to reconnect now and then (and drops sockets): it opens a new
            # one, and a command sent there is answered as well.
            socket.send({"type": "disconnect", "reason": "refresh_requested"})
            socket.wait_for_connections(2)
            socket.send(command_envelope("env-2", "list", fake_slack.url + "r/2"))
            socket.wait_for_ack("env-2")
            assert "vLLM" in json.dumps(fake_slack.wait_for("r/2").params)
            # A button: acked over the socket, then its form opened through the Web API.
            socket.send(
                {"envelope_id": "env-3", "type": "interactive", "accepts_response_payload": True,
                 "payload": press(fake_slack, TEAM, "home_overlaps")}
            )  # fmt: skip
            socket.wait_for_ack("env-3")
            assert fake_slack.wait_for("views.open").params["trigger_id"] == "trig-home_overlaps"
            # A form: its submission adds the tool, which the next command lists.
            socket.send(
                {"envelope_id": "env-4", "type": "interactive", "accepts_response_payload": True,
                 "payload": submission(TEAM, "Weaviate")}
            )  # fmt: skip
            socket.wait_for_ack("env-4")
            socket.send(command_envelope("env-5", "list", fake_slack.url + "r/5"))
            assert "Weaviate" in json.dumps(fake_slack.wait_for("r/5").params)
            opened = fake_slack.calls_to("apps.connections.open")
            assert {call.token for call in opened} == {"xapp-1-A0APP-test"}
        finally:
            process.terminate()
            out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out
    assert "over Socket Mode" in out  # the start-up line
    served = [line for line in out.splitlines() if "/stack add from T0TEAM" in line]
    assert len(served) == 1, out
    assert "/stack list from T0TEAM" in out
    assert "vLLM" not in served[0]
    assert "response" not in served[0]


def command_envelope(envelope_id: str, text: str, response_url: str) -> dict[str, Any]:
    """A slash command as Socket Mode carries it:
    https://docs.slack.dev/apis/events-api/using-socket-mode"""
    command = {
        "token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": "C0CHAN",
        "channel_name": "ai-infra", "user_id": "UALICE", "user_name": "alice",
        "command": "/stack", "text": text, "api_app_id": "A0APP", "response_url": response_url,
        "trigger_id": f"trigger-{envelope_id}",
    }  # fmt: skip
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": command,
    }


def test_a_refused_app_token_stops_it_in_one_line(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.invalid_tokens.add("xapp-1-A0APP-revoked")
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "socket"],
        env=socket_env(tmp_path, fake_slack, "xapp-1-A0APP-revoked"),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1:] == [
        "stackbot socket: SLACK_APP_TOKEN was refused by Slack (invalid_auth): copy the "
        "App-Level Token (xapp-..., scope connections:write) again from the app's Basic "
        "Information page"
    ]
    assert "xapp-1-A0APP-revoked" not in result.stdout + result.stderr
