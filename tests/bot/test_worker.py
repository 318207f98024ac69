"""`stackbot worker`: the web process records a slash command and acks it, and a worker claims
it, runs it and answers it through its response_url, once, however many workers run and
whichever of them dies. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from bot.recorded import Clients
from bot.worker import sweep, work_once
from db import commands
from db.commands import LEASE
from db.doorbell import Doorbell, Listen, Poll
from db.engine import session_scope
from db.models import ANSWERED, DONE, EXPIRED, QUEUED, RUNNING, SlackCommand
from tests.bot.server import Server, WorkerProcess
from tests.conftest import NOW
from tests.fake_slack import FakeSlack

TEAM = "T0TEAM"  # the fake Slack's workspace
ALICE = "UALICE"  # adds tools


def record(engine: Engine, fake: FakeSlack, command: str, hook: str, now: datetime = NOW) -> None:
    """The command as the web process records it before the ack."""
    with session_scope(engine) as session:
        commands.record(
            session=session, team_id=TEAM, user_id=ALICE, channel_id="C1", text=command,
            response_url=fake.url + hook, now=now,
        )  # fmt: skip


def clients(fake: FakeSlack) -> Clients:
    return lambda team: fake.client() if team == TEAM else None


def rows(engine: Engine) -> list[SlackCommand]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(SlackCommand).order_by(SlackCommand.id)).all())  # type: ignore[arg-type]


def statuses_once_settled(engine: Engine, attempts: int = 400) -> set[str]:
    """The commands' statuses once none is waiting or being answered: a worker process marks a
    command answered a moment after Slack took the answer (polled, briefly)."""
    for _ in range(attempts):
        found = {row.status for row in rows(engine)}
        if not found & {QUEUED, RUNNING, DONE}:
            return found
        threading.Event().wait(0.05)
    return found


def tool_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT name FROM tool ORDER BY name")).scalars())


def test_it_answers_a_recorded_command_once(engine: Engine, fake_slack: FakeSlack) -> None:
    record(engine, fake_slack, "add vLLM inference", "response/1")
    assert work_once(engine, clients(fake_slack), NOW) == 1
    assert work_once(engine, clients(fake_slack), NOW) == 0
    [answer] = fake_slack.calls_to("response/1")
    assert answer.params["response_type"] == "in_channel"
    assert tool_names(engine) == ["vLLM"]
    assert [row.status for row in rows(engine)] == [ANSWERED]


def test_two_workers_never_answer_one_command_twice(engine: Engine, fake_slack: FakeSlack) -> None:
    record(
        engine, fake_slack, "add tool-0 inference", "response/0"
    )  # the workspace's first command
    assert work_once(engine, clients(fake_slack), NOW) == 1
    for n in range(1, 25):
        record(engine, fake_slack, f"add tool-{n} inference", f"response/{n}")
    claimed: list[int] = []

    def drain() -> None:
        while work_once(engine, clients(fake_slack), NOW):
            claimed.append(1)

    workers = [threading.Thread(target=drain) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(claimed) == 24
    for n in range(25):
        assert len(fake_slack.calls_to(f"response/{n}")) == 1, n
    assert tool_names(engine) == sorted(f"tool-{n}" for n in range(25))
    assert {row.status for row in rows(engine)} == {ANSWERED}


def test_a_command_no_worker_ran_while_slack_listened_is_given_up_unanswered(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    record(engine, fake_slack, "add vLLM inference", "response/1")
    later = NOW + timedelta(minutes=31)
    assert work_once(engine, clients(fake_slack), later) == 0  # never run so late
    assert sweep(engine, clients(fake_slack), later) == 0
    assert [row.status for row in rows(engine)] == [EXPIRED]
    assert tool_names(engine) == []
    assert fake_slack.calls_to("response/1") == []  # its response_url is closed


def short_doorbell(engine: Engine) -> Doorbell:
    if engine.dialect.name == "postgresql":
        return Listen(engine, seconds=0.05)
    return Poll(engine, seconds=0.01)


def test_the_doorbell_rings_once_a_command_is_recorded(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    bell, stop = short_doorbell(engine), threading.Event()
    try:
        assert bell.wait(stop) is False  # nothing queued (and, on PostgreSQL, now listening)
        record(engine, fake_slack, "list", "response/1")
        assert bell.wait(stop) is True
        stop.set()
        assert bell.wait(stop) is False  # a stopping worker waits for nothing
    finally:
        bell.close()


# Against real processes: `stackbot serve` (web only) and `stackbot worker`.


@pytest.fixture
def web(fake_slack: FakeSlack, database_url: str) -> Iterator[Server]:
    server = Server(
        database_url=database_url, slack_url=fake_slack.url, fake=fake_slack,
        env={"SLACK_BOT_TOKEN": "xoxb-test"}, args=("serve",),
    )  # fmt: skip
    yield server
    server.stop()


StartWorker = Callable[[], WorkerProcess]


@pytest.fixture
def start_worker(fake_slack: FakeSlack, database_url: str) -> Iterator[StartWorker]:
    """Starts `stackbot worker` processes on the test's store; they stop with the test."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        started.append(WorkerProcess(database_url=database_url, slack_url=fake_slack.url))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


@pytest.mark.process
def test_the_web_process_only_records_and_a_worker_answers(
    web: Server, start_worker: StartWorker, fake_slack: FakeSlack, engine: Engine
) -> None:
    ack = web.command("add vLLM inference", team=TEAM, user=ALICE, reply=False, hook="r/1")
    assert (ack.status, ack.body) == (200, b"")
    [row] = rows(engine)
    assert (row.status, row.text) == (QUEUED, "add vLLM inference")
    assert fake_slack.calls_to("r/1") == []  # the web process ran nothing
    assert fake_slack.calls_to("users.info") == []
    start_worker()
    answer = fake_slack.wait_for("r/1")
    assert answer.params["response_type"] == "in_channel"
    assert tool_names(engine) == ["vLLM"]
    assert statuses_once_settled(engine) == {ANSWERED}


@pytest.mark.process
def test_two_worker_processes_answer_every_command_once(
    web: Server, start_worker: StartWorker, fake_slack: FakeSlack, engine: Engine
) -> None:
    start_worker()
    start_worker()
    web.command(
        "add tool-0 inference", team=TEAM, user=ALICE, hook="r/0"
    )  # answered: the workspace
    for n in range(1, 16):
        ack = web.command(
            f"add tool-{n} inference", team=TEAM, user=ALICE, reply=False, hook=f"r/{n}"
        )
        assert ack.status == 200
    for n in range(16):
        fake_slack.wait_for(f"r/{n}")
    assert statuses_once_settled(engine) == {ANSWERED}
    for n in range(16):
        assert len(fake_slack.calls_to(f"r/{n}")) == 1, n
    assert tool_names(engine) == sorted(f"tool-{n}" for n in range(16))


@pytest.mark.process
def test_a_worker_killed_mid_command_leaves_it_to_another_and_acks_go_on(
    web: Server, start_worker: StartWorker, fake_slack: FakeSlack, engine: Engine
) -> None:
    # A workspace's first command asks Slack who the person is: held there, the worker is in
    # the middle of the command when it is killed.
    held = fake_slack.hold("users.info")
    worker = start_worker()
    web.command("add vLLM inference", team=TEAM, user=ALICE, reply=False, hook="r/kill")
    fake_slack.wait_for("users.info")
    # The worker is busy: the web process acks anyway (timed by nobody; answered is enough).
    for n in range(3):
        ack = web.command(
            f"add tool-{n} inference", team=TEAM, user=ALICE, reply=False, hook=f"r/{n}"
        )
        assert (ack.status, ack.body) == (200, b"")
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    held.set()
    killed = rows(engine)[0]
    assert (killed.status, killed.text) == (RUNNING, "add vLLM inference")
    # Another worker's sweep, once the dead one's claim is stale:
    now = killed.claimed_at + LEASE * 2
    assert sweep(engine, clients(fake_slack), now) == 1
    assert sweep(engine, clients(fake_slack), now + LEASE * 2) == 0
    [answer] = fake_slack.calls_to("r/kill")
    assert answer.params["response_type"] == "in_channel"
    while work_once(engine, clients(fake_slack), now):  # and the queue behind it
        pass
    assert tool_names(engine) == ["tool-0", "tool-1", "tool-2", "vLLM"]
    assert {row.status for row in rows(engine)} == {ANSWERED}
    for hook in ("r/kill", "r/0", "r/1", "r/2"):
        assert len(fake_slack.calls_to(hook)) == 1


@pytest.mark.process
def test_sigterm_lets_the_worker_finish_the_command_in_hand(
    web: Server, start_worker: StartWorker, fake_slack: FakeSlack, engine: Engine
) -> None:
    held = fake_slack.hold("users.info")
    worker = start_worker()
    web.command("add vLLM inference", team=TEAM, user=ALICE, reply=False, hook="r/1")
    fake_slack.wait_for("users.info")
    worker.process.terminate()
    for _ in range(400):  # polls the process's log until the signal was handled
        if "stopping after the command in hand" in worker.log():
            break
        threading.Event().wait(0.05)
    held.set()
    assert worker.process.wait(timeout=20) == 0
    [answer] = fake_slack.calls_to("r/1")
    assert answer.params["response_type"] == "in_channel"
    assert statuses_once_settled(engine) == {ANSWERED}
    assert "worker: stopped, 1 claimed" in worker.log()
