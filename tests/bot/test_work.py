"""bot.work: the slash command's work handed from a web worker to its child process.

The hand-over is tested with a stand-in child that writes down every job it reads; the real
child is tested through `stackbot serve`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest

from bot.app import create_app
from bot.work import MAX_JOB_BYTES, WorkProcess, decode, run_job
from core.settings import Settings
from db import open_store
from tests.bot.server import SECRET, Server, children, sign
from tests.fake_slack import FakeSlack

TEAM = "T0TEAM"
ALICE = "UALICE"  # adds tools

# A stand-in child: `python -c RECORDER OUT GATE ONCE FD`. It waits for the FIFO at GATE (unless
# GATE is "-"), then writes each job it reads from FD as one line of OUT; with ONCE it exits
# after the first job.
RECORDER = """
import socket, sys
out, gate, once, fd = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
if gate != "-":
    open(gate).read()
jobs = socket.socket(fileno=fd)
with open(out, "a") as lines:
    while job := jobs.recv(1 << 20):
        lines.write(job.decode() + "\\n")
        lines.flush()
        if once:
            break
"""


def recorder(out: Path, *, gate: Path | None = None, once: bool = False) -> list[str]:
    return [sys.executable, "-c", RECORDER, str(out), str(gate or "-"), "1" if once else "0"]


def command(text: str) -> BoltRequest:
    body = urlencode({"command": "/stack", "text": text, "team_id": TEAM})
    return BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


def recorded(out: Path) -> list[BoltRequest]:
    return [decode(line.encode()) for line in out.read_text().splitlines()]


@pytest.fixture
def runners() -> Iterator[list[WorkProcess]]:
    """Runners a test made, closed at the end whatever happened."""
    made: list[WorkProcess] = []
    yield made
    for runner in made:
        runner.close()


def test_it_hands_each_job_over_whole_and_in_order_and_drains_on_close(
    tmp_path: Path, runners: list[WorkProcess]
) -> None:
    out = tmp_path / "jobs.txt"
    runner = WorkProcess(recorder(out))
    runners.append(runner)
    texts = [f"add Tool-{n} " + "x" * (n * 37) for n in range(300)]  # up to 11 KB each
    for text in texts:
        runner.hand_over(command(text), "stack_command")
    runner.close()

    jobs = recorded(out)
    assert [job.body["text"] for job in jobs] == texts
    assert all(job.lazy_only and job.lazy_function_name == "stack_command" for job in jobs)
    assert runner.child.returncode == 0  # it read to the end, then stopped by itself


def test_an_ack_never_waits_for_a_child_that_is_behind(
    tmp_path: Path, runners: list[WorkProcess]
) -> None:
    out, gate = tmp_path / "jobs.txt", tmp_path / "gate"
    os.mkfifo(gate)
    runner = WorkProcess(recorder(out, gate=gate))  # reads nothing until the gate opens
    runners.append(runner)
    texts = [f"add Tool-{n} " + "x" * 4000 for n in range(2000)]  # 8 MB: far over the socket

    def hand_over_all() -> None:
        for text in texts:
            runner.hand_over(command(text), "stack_command")

    handing = threading.Thread(target=hand_over_all)
    handing.start()
    handing.join(timeout=60)
    assert not handing.is_alive(), "hand_over() blocked on a child that was not reading"

    with gate.open("w") as opened:
        opened.write("go")
    runner.close()
    assert [job.body["text"] for job in recorded(out)] == texts


def test_a_child_that_dies_is_replaced(
    tmp_path: Path, runners: list[WorkProcess], caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "jobs.txt"
    runner = WorkProcess(recorder(out, once=True))  # each child takes one job, then exits
    runners.append(runner)
    runner.hand_over(command("list"), "stack_command")
    first = runner.child
    first.wait(timeout=30)

    with caplog.at_level(logging.ERROR, logger="bot.work"):
        runner.hand_over(command("map"), "stack_command")
    assert runner.child is not first
    assert "the work process exited (code 0); starting another" in caplog.text
    runner.child.wait(timeout=30)
    assert [job.body["text"] for job in recorded(out)] == ["list", "map"]


def test_the_app_acks_a_checked_command_and_hands_over_only_that(
    tmp_path: Path, fake_slack: FakeSlack, runners: list[WorkProcess]
) -> None:
    out = tmp_path / "jobs.txt"
    runner = WorkProcess(recorder(out))
    runners.append(runner)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/stack.db",
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.url,
    )
    app = create_app(settings, open_store(settings.database_url), work=runner)

    fields = {"command": "/stack", "text": "add vLLM", "team_id": TEAM, "user_id": ALICE}
    body = urlencode(fields)
    answer = app.dispatch(signed(body))
    forged = app.dispatch(signed(body.replace("vLLM", "Triton"), secret="not-the-secret"))
    button = {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": ALICE},
              "response_url": fake_slack.url + "response/button",
              "actions": [{"action_id": "old_button", "value": "x"}]}  # fmt: skip
    clicked = app.dispatch(signed(urlencode({"payload": json.dumps(button)})))
    runner.close()

    assert (answer.status, answer.body) == (200, "")
    assert forged.status == 401
    assert clicked.status == 200
    assert "older message" in fake_slack.wait_for("response/button").params["text"]
    [job] = recorded(out)  # the button was answered here, not handed over
    assert job.body["text"] == "add vLLM"
    assert job.lazy_only
    assert job.lazy_function_name == "stack_command"
    assert job.headers["x-slack-signature"] == [sign(body.encode())["X-Slack-Signature"]]


def signed(body: str, *, secret: str = SECRET) -> BoltRequest:
    headers: dict[str, str | Sequence[str]] = {
        name.lower(): [value] for name, value in sign(body.encode(), secret=secret).items()
    }
    headers["content-type"] = ["application/x-www-form-urlencoded"]
    return BoltRequest(body=body, headers=headers)


def test_the_child_runs_at_idle_priority() -> None:
    probe = (
        "import os; from bot.work import lower_priority; lower_priority(); "
        "print(os.sched_getscheduler(0))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert int(done.stdout) == os.SCHED_IDLE


def test_under_serve_the_work_runs_in_a_child_and_stopping_finishes_what_was_acked(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    database = tmp_path / "stack.db"
    server = Server(
        database_url=f"sqlite:///{database}",
        slack_url=fake_slack.url,
        fake=fake_slack,
        env={"SLACK_BOT_TOKEN": "xoxb-test"},
    )
    try:
        answer = server.command("add vLLM", team=TEAM, user=ALICE)
        assert json.loads(answer.body)["text"].startswith("Added")
        (worker,) = children(server.process.pid, b"bot.cli")  # WEB_CONCURRENCY=1
        (child,) = children(worker, b"bot.work")
        assert os.sched_getscheduler(child) == os.SCHED_IDLE

        hooks = [f"response/stop-{n}" for n in range(20)]
        for n, hook in enumerate(hooks):
            ack = server.command(
                f"add Tool-{n} inference", team=TEAM, user=ALICE, hook=hook, reply=False
            )
            assert ack.status == 200
    finally:
        server.stop()  # at once: most of the 20 are still to do

    for hook in hooks:
        assert fake_slack.wait_for(hook, timeout=30).params["text"].startswith("Added")
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT count(*) FROM tool").fetchone()
    assert stored == 21


def test_a_request_too_large_for_a_job_is_logged_not_sent(
    tmp_path: Path, runners: list[WorkProcess], caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "jobs.txt"
    runner = WorkProcess(recorder(out))
    runners.append(runner)
    with caplog.at_level(logging.ERROR, logger="bot.work"):
        runner.hand_over(command("x" * MAX_JOB_BYTES), "stack_command")
    runner.hand_over(command("list"), "stack_command")
    runner.close()
    assert "lazy listener stack_command not run" in caplog.text
    assert [job.body["text"] for job in recorded(out)] == ["list"]


def test_a_job_that_fails_in_the_child_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = App(signing_secret=SECRET, token="xoxb-test", token_verification_enabled=False)
    with caplog.at_level(logging.ERROR, logger="bot.work"):
        run_job(app, b"{not json")
    assert "a job handed over failed" in caplog.text
    assert "JSONDecodeError" in caplog.text
