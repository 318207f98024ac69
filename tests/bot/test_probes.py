"""The parts of health, metrics and start-up that need no server process: /readyz's answers,
the SIGTERM that turns it to 503, the clock's health read from its heartbeat, the wait for a
database that does not answer, and 429s counted."""

from __future__ import annotations

import io
import logging
import os
import signal
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import Engine

from bot import metrics
from bot.http import Readiness, wsgi_app
from bot.outbound import make_client, request_client
from bot.serve import _note_stopping
from db.engine import StoreUnavailable, make_engine, session_scope, wait_for
from db.heartbeat import beat
from stack.health import Health, clock_health
from tests.bot.server import free_port
from tests.fake_slack import FakeSlack, rate_limited

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def get(application: Any, path: str) -> tuple[str, bytes]:
    seen: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        seen.append(status)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO(b"")}
    body: Iterable[bytes] = application(environ, start_response)
    return seen[0], b"".join(body)


def bolt() -> App:
    return App(signing_secret="s", token="xoxb-test", token_verification_enabled=False)


def test_readiness_says_why_it_is_not_ready(engine: Engine) -> None:
    ready = Readiness()
    application = wsgi_app(bolt(), engine, ready)
    starting = ("503 Service Unavailable", b'{"ok": false, "why": "starting"}')
    assert get(application, "/readyz") == starting
    ready.warm = True
    assert get(application, "/readyz") == ("200 OK", b'{"ok": true}')
    ready.stopping = True
    assert get(application, "/readyz")[1] == b'{"ok": false, "why": "stopping"}'
    assert get(application, "/livez") == ("200 OK", b'{"ok": true}')  # alive all the while


def test_readiness_and_liveness_part_when_the_database_is_down() -> None:
    down = make_engine(f"postgresql+psycopg://stackbot:pw@127.0.0.1:{free_port()}/stackbot")
    application = wsgi_app(bolt(), down, Readiness(warm=True))
    assert get(application, "/readyz")[1] == b'{"ok": false, "why": "database unreachable"}'
    assert get(application, "/livez")[0] == "200 OK"  # no restart would bring the database back
    down.dispose()


def test_sigterm_makes_the_worker_unready_and_still_reaches_gunicorns_handler() -> None:
    handled: list[int] = []

    def gunicorns(signum: int, frame: FrameType | None) -> None:
        handled.append(signum)

    before = signal.signal(signal.SIGTERM, gunicorns)
    try:
        ready = Readiness(warm=True)
        _note_stopping(ready)
        os.kill(os.getpid(), signal.SIGTERM)  # handled in this, the main, thread
        assert ready.stopping
        assert handled == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, before)


def test_the_clock_is_healthy_only_while_its_last_pass_is_recent(engine: Engine) -> None:
    assert clock_health(engine, NOW).reason == "the clock has not finished a pass yet"
    assert not clock_health(engine, NOW).ok
    with session_scope(engine) as session:
        beat(session=session, now=NOW - timedelta(seconds=70), sent=3)
    assert clock_health(engine, NOW) == Health(True, "the clock's last pass was 70 s ago")
    with session_scope(engine) as session:
        beat(session=session, now=NOW - timedelta(minutes=20), sent=0)  # the same row, later
    health = clock_health(engine, NOW)
    assert not health.ok
    assert health.reason == "the clock's last pass was 20 min ago, more than 15 min"


def test_it_waits_for_the_database_one_line_a_try_then_gives_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    down = make_engine(f"postgresql+psycopg://stackbot:hunter2@127.0.0.1:{port}/stackbot")
    elapsed = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        elapsed[0] += seconds

    shown = f"postgresql+psycopg://stackbot:***@127.0.0.1:{port}/stackbot"
    with caplog.at_level(logging.WARNING, "db.engine"), pytest.raises(StoreUnavailable) as raised:
        wait_for(down, seconds=30, shown=shown, sleep=sleep, clock=lambda: elapsed[0])
    down.dispose()
    assert slept == [1, 2, 4, 8, 15]  # 30 s in all, the last wait cut to what was left
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 5
    assert all(f"the database at {shown} did not answer (try " in line for line in lines)
    assert str(raised.value).startswith(
        f"the database at {shown} did not answer (tried 6 times in 30 s): "
    )
    assert "\n" not in str(raised.value)
    assert "hunter2" not in str(raised.value) + "".join(lines)


def test_a_database_that_answers_is_not_waited_for(engine: Engine) -> None:
    def never(seconds: float) -> None:
        pytest.fail(f"waited {seconds} s for a database that answers")

    wait_for(engine, seconds=30, shown="db", sleep=never)


def test_it_counts_every_429_slack_sends_back(fake_slack: FakeSlack) -> None:
    metrics.enable()
    before = _rate_limited()
    fake_slack.script("auth.test", rate_limited(retry_after=0))
    request_client("xoxb-test", base_url=fake_slack.url).auth_test()  # retried once, then ok
    assert _rate_limited() - before == 1
    fake_slack.script("auth.test", rate_limited(retry_after=0), rate_limited(retry_after=0))
    make_client("xoxb-test", base_url=fake_slack.url).auth_test()  # the clock's: retried twice
    assert _rate_limited() - before == 3


def _rate_limited() -> float:
    from prometheus_client import REGISTRY

    value = REGISTRY.get_sample_value("stackbot_slack_rate_limited_total")
    assert value is not None
    return value


def test_the_start_up_line_counts_installed_workspaces(engine: Engine) -> None:
    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from db.gauges import installed_workspaces

    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    for team_id, user_id in (("T1", "U1"), ("T1", "U2"), ("T2", "U3")):
        store.save(
            Installation(
                app_id="A0APP", team_id=team_id, user_id=user_id, bot_token="xoxb-1",
                bot_id="B1", bot_user_id="UBOT", installed_at=NOW.timestamp(),
            )
        )  # fmt: skip
    with session_scope(engine, write=False) as session:
        assert installed_workspaces(session=session) == 2


def test_the_store_gauges_read_the_backlog_and_the_last_pass(engine: Engine) -> None:
    from db import commands, gauges

    with session_scope(engine, write=False) as session:
        assert gauges.read(session=session) == gauges.Gauges(0, None, 0, None)
    with session_scope(engine) as session:
        for minutes in (5, 2):
            commands.record(
                session=session, team_id="T1", user_id="U1", channel_id=None, text="list",
                response_url="https://hooks.slack.com/x", now=NOW - timedelta(minutes=minutes),
            )  # fmt: skip
        beat(session=session, now=NOW - timedelta(seconds=30), sent=1)
    with session_scope(engine, write=False) as session:
        read = gauges.read(session=session)
    assert read.backlog == 2
    assert read.oldest_waiting == NOW - timedelta(minutes=5)
    assert read.last_pass == NOW - timedelta(seconds=30)
