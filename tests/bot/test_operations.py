"""What an operations team watches, on a real `stackbot serve` with two gunicorn workers:
/livez and /readyz, /metrics behind its token and added up across the workers, and the log as
JSON lines that never hold a secret, a command's text or its response_url."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import col, delete

from db.engine import session_scope
from db.heartbeat import beat
from db.models import SlackCommand
from tests.bot.server import SECRET, Answer, Server, team
from tests.fake_slack import FakeSlack

METRICS_TOKEN = "metrics-7c1d2e0b"  # a test token, not a real one
BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("metrics")


@pytest.fixture(scope="module")
def server(
    slack: FakeSlack, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    (samples / "left-from-an-earlier-run.db").write_bytes(b"stale")  # the master empties it
    folder = tmp_path_factory.mktemp("ops")
    running = Server(
        database_url=f"sqlite:///{folder}/stack.db",
        slack_url=slack.url,
        fake=slack,
        env={
            "SLACK_BOT_TOKEN": "xoxb-test",
            "WEB_CONCURRENCY": "2",
            "METRICS_TOKEN": METRICS_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(samples),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        },
    )
    yield running
    running.stop()


def test_it_answers_liveness_and_readiness(server: Server) -> None:
    assert (server.get("/livez").status, server.get("/livez").json()) == (200, {"ok": True})
    assert (server.get("/readyz").status, server.get("/readyz").json()) == (200, {"ok": True})
    assert server.get("/healthz").json() == {"ok": True, "database": "ok"}


def test_metrics_need_the_token(server: Server) -> None:
    assert server.get("/metrics").status == 401
    assert server.get("/metrics", {"Authorization": "Bearer wrong"}).status == 401
    assert server.get("/metrics", {"Authorization": METRICS_TOKEN}).status == 401
    answer = server.get("/metrics", BEARER)
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    assert "stackbot_database_up 1.0" in answer.text


def test_one_scrape_adds_up_both_workers(server: Server, samples: Path) -> None:
    assert not (samples / "left-from-an-earlier-run.db").exists()
    before = sample(scrape(server), "stackbot_ack_seconds_count", 0, kind="other")
    sent = 0
    # Requests are spread between the workers by whichever accepts first: send batches at once
    # until both have timed some (each writes its own file, named by its pid).
    for _ in range(20):
        sent += in_parallel(server, 8)
        if len(pids(samples, "histogram")) == 2:
            break
    assert len(pids(samples, "histogram")) == 2
    text = scrape(server)
    after = sample(text, "stackbot_ack_seconds_count", kind="other")
    assert after - before == sent


def test_it_counts_the_backlog_and_the_clock_from_the_store(server: Server) -> None:
    now = datetime.now(UTC)
    engine = create_engine(server.database_url)
    with session_scope(engine) as session:
        session.add(
            SlackCommand(
                team_id="TWAIT", user_id="UWAIT", channel_id=None, text="list",
                response_url="http://127.0.0.1:9/never", received_at=now - timedelta(minutes=2),
                claimed_at=now,  # a fresh claim: no sweep takes it over during the test
            )
        )  # fmt: skip
        beat(session=session, now=now - timedelta(seconds=90), sent=0)
    try:
        text = scrape(server)
        assert sample(text, "stackbot_command_backlog") >= 1
        assert sample(text, "stackbot_command_oldest_waiting_seconds") >= 120
        assert 90 <= sample(text, "stackbot_clock_last_pass_age_seconds") < 3600
        assert sample(text, "stackbot_deliveries_failed") == 0
    finally:
        with session_scope(engine) as session:
            session.exec(delete(SlackCommand).where(col(SlackCommand.team_id) == "TWAIT"))
        engine.dispose()


def test_every_log_line_is_json_and_a_command_is_one_line_without_its_text(
    server: Server,
) -> None:
    hook = "response/ops-logged"
    reply = server.command("add Weaviate data", team=team(server), user="UALICE", hook=hook)
    assert reply.json()["response_type"] == "in_channel"
    assert sample(scrape(server), "stackbot_commands_total", verb="add") >= 1
    log = server.log()
    records = [json.loads(line) for line in log.splitlines() if line.strip()]  # each one parses
    assert {"time", "level", "logger", "message"} <= set(records[0])
    loggers = {record["logger"] for record in records}
    assert "gunicorn.error" in loggers  # gunicorn's own lines, in the same format
    served = [r["message"] for r in records if r["message"].startswith("/stack add from")]
    assert served == [served[0]]
    assert re.fullmatch(r"/stack add from T0TEAM: 200 in \d+ ms", served[0])
    started = [r["message"] for r in records if r["message"].startswith("stackbot ")]
    assert any("over HTTP" in m and "one workspace" in m and "sqlite:///" in m for m in started)
    for secret in ("xoxb-test", SECRET, METRICS_TOKEN, "Weaviate", hook):
        assert secret not in log


def scrape(server: Server) -> str:
    answer = server.get("/metrics", BEARER)
    assert answer.status == 200, answer.text
    return answer.text


def sample(text: str, name: str, default: float | None = None, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (`default` when it is absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        key, _, value = line.rpartition(" ")
        if key == (f"{name}{{{wanted}}}" if wanted else name):
            return float(value)
    if default is not None:
        return default
    raise AssertionError(f"no sample {name} {labels} in:\n{text}")


def pids(folder: Path, kind: str) -> set[str]:
    return {path.stem.rpartition("_")[2] for path in folder.glob(f"{kind}_*.db")}


def in_parallel(server: Server, count: int) -> int:
    """`count` signed url_verification requests at once (cheap: Bolt answers the challenge)."""
    answers: list[Answer] = []

    def send(n: int) -> None:
        body = json.dumps({"type": "url_verification", "challenge": f"c{n}-{id(answers)}"})
        answers.append(server.signed(body.encode(), "application/json"))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status for a in answers] == [200] * count
    return count
