"""Requests no Slack would send: replays, huge bodies, broken payloads. None does anything, none
gets a 5xx, and none fills the log with its body."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from tests.bot.server import Server, sign, team
from tests.fake_slack import FakeSlack
from tests.slack_checks import all_text

ALICE = "UALICE"


def command_body(fake: FakeSlack, t: str, words: str, hook: str) -> bytes:
    fields = {
        "team_id": t, "channel_id": "C1", "user_id": ALICE, "command": "/stack", "text": words,
        "api_app_id": "A0APP", "response_url": fake.url + hook, "trigger_id": "t-" + hook,
    }  # fmt: skip
    return urlencode(fields).encode()


FORM = "application/x-www-form-urlencoded"


def test_a_replayed_command_is_answered_and_does_nothing(server: Server, fake: FakeSlack) -> None:
    t = team(server)
    body = command_body(fake, t, "add Zorblax data", "r/add")
    recording = {**sign(body), "Content-Type": FORM}
    assert server.post(body, recording).status == 200
    fake.wait_for("r/add")
    server.command("remove Zorblax", team=t, user=ALICE)
    replay = server.post(body, recording)  # byte for byte, inside the 5 minutes
    assert (replay.status, replay.body) == (200, b"")
    assert "Zorblax" not in all_text(server.command("list", team=t, user=ALICE).json())
    assert len(fake.calls_to("r/add")) == 1
    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        texts = connection.execute(text("SELECT text FROM slack_command")).scalars().all()
    engine.dispose()
    assert texts.count("add Zorblax data") == 1
    assert "ignored a replayed request" in server.log()


def test_a_body_over_the_cap_is_refused_unread_and_unlogged(server: Server) -> None:
    body = b"payload=" + b"HUGEBODYMARKER" * 150_000  # 2 MB, unsigned
    answer = server.post(body, {"Content-Type": FORM})
    assert answer.status == 413
    assert answer.json() == {"ok": False, "error": "request body too large"}
    assert "HUGEBODYMARKER" not in server.log()


def test_a_stale_request_is_logged_in_one_line_without_its_body(
    server: Server, fake: FakeSlack
) -> None:
    body = command_body(fake, team(server), "add Secretive data", "r/SECRETHOOK")
    old = int(time.time()) - 301  # Slack's clock, read here: the request is 301 s old
    answer = server.post(body, {**sign(body, timestamp=old), "Content-Type": FORM})
    assert answer.status == 401
    log = server.log()
    assert "SECRETHOOK" not in log  # the live response_url inside it
    assert "Secretive" not in log
    assert "bad or stale signature" in log


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%5B%5D", FORM),  # payload=[]
        (b"payload=null", FORM),
        (
            b"payload="
            + json.dumps({"type": "view_submission", "team": {"id": "T0TEAM"}, "view": None})
            .replace(" ", "")
            .encode(),
            FORM,
        ),
        (b'[{"type": "event_callback"}]', "application/json"),
        (b'{"type": "event_callback", "event": []}', "application/json"),
        (b"payload=%7B%22actions%22%3A+%22x%22%7D", FORM),  # "actions": "x"
        (b"\xff\xfe", FORM),
    ],
    ids=["list", "null", "view-null", "json-list", "event-list", "actions-string", "not-utf8"],
)
def test_a_malformed_payload_gets_a_400_with_a_short_json_error(
    server: Server, body: bytes, content_type: str
) -> None:
    answer = server.signed(body, content_type)
    assert answer.status == 400
    error = answer.json()
    assert error["ok"] is False
    assert 0 < len(error["error"]) < 80


@pytest.mark.parametrize(
    "body",
    [b"payload=not-json", b"payload=%7B%7D", b"command=%2Fstack", b"", b"team_id=T&text=%00"],
    ids=["bad-json", "empty-payload", "no-fields", "empty", "nul"],
)
def test_it_never_answers_a_malformed_request_with_500(server: Server, body: bytes) -> None:
    answer = server.signed(body, FORM)
    assert answer.status < 500
