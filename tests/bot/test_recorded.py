"""A slash command, once acked, is done: recorded, claimed, finished and answered once, by the
worker that took it or, when that worker died, by a sweep (another worker, or the clock).
tests/bot/test_worker.py has the worker processes themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from bot import recorded
from bot.recorded import Clients
from core import grammar
from db import commands
from db.commands import LEASE, Claim
from db.engine import session_scope
from db.models import ANSWERED, DONE, EXPIRED, SlackCommand
from stack.run import HANDLERS
from tests.conftest import NOW
from tests.fake_slack import FakeSlack, server_error

TEAM = "T0TEAM"  # the fake Slack's workspace
ALICE = "UALICE"  # adds tools


def record(engine: Engine, fake: FakeSlack, command: str, hook: str = "response/1") -> Claim:
    """The command as the web process records it, claimed by a worker."""
    with session_scope(engine) as session:
        commands.record(
            session=session, team_id=TEAM, user_id=ALICE, channel_id="C1", text=command,
            response_url=fake.url + hook, now=NOW,
        )  # fmt: skip
    with session_scope(engine) as session:
        claim = commands.claim_next(session=session, now=NOW)
    assert claim is not None
    return claim


def clients(fake: FakeSlack) -> Clients:
    return lambda team: fake.client() if team == TEAM else None


def tool_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT name FROM tool ORDER BY id")).scalars())


def status(engine: Engine, claim: Claim) -> str:
    with session_scope(engine, write=False) as session:
        row = session.get(SlackCommand, claim.id)
        assert row is not None
        return row.status


def test_it_runs_a_recorded_command_and_answers_it_once(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    claim = record(engine, fake_slack, "add vLLM inference")
    recorded.run(engine, fake_slack.client(), claim)
    [answer] = fake_slack.calls_to("response/1")
    assert answer.params["response_type"] == "in_channel"
    assert tool_names(engine) == ["vLLM"]
    assert status(engine, claim) == ANSWERED
    assert recorded.sweep(engine, clients(fake_slack), NOW + LEASE * 3) == 0


def test_a_worker_whose_claim_was_taken_over_rolls_its_writes_back(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    claim = record(engine, fake_slack, "add vLLM inference")
    with session_scope(engine) as session:  # another worker took the stale claim meanwhile
        taken = commands.reclaim(session=session, command=claim, now=NOW + LEASE)
    assert taken is not None
    recorded.run(engine, fake_slack.client(), claim)  # the first worker, late
    assert tool_names(engine) == []
    assert fake_slack.calls_to("response/1") == []
    recorded.run(engine, fake_slack.client(), taken)
    assert tool_names(engine) == ["vLLM"]
    assert len(fake_slack.calls_to("response/1")) == 1


def test_the_sweep_finishes_what_a_dead_worker_never_ran(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    claim = record(engine, fake_slack, "add vLLM inference")  # and its worker died
    assert recorded.sweep(engine, clients(fake_slack), NOW + LEASE / 2) == 0  # still its own
    assert recorded.sweep(engine, clients(fake_slack), NOW + LEASE * 2) == 1
    assert recorded.sweep(engine, clients(fake_slack), NOW + LEASE * 4) == 0
    assert tool_names(engine) == ["vLLM"]
    assert len(fake_slack.calls_to("response/1")) == 1
    assert status(engine, claim) == ANSWERED


def test_the_sweep_only_answers_a_command_whose_writes_committed(
    engine: Engine, fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    claim = record(engine, fake_slack, "add vLLM inference")
    fake_slack.script("response/1", server_error(), server_error(), server_error())
    recorded.run(engine, fake_slack.client(), claim)  # done, but Slack never took the answer
    assert status(engine, claim) == DONE
    assert recorded.sweep(engine, clients(fake_slack), NOW + LEASE * 2) == 1
    assert tool_names(engine) == ["vLLM"]  # not added twice
    accepted = fake_slack.calls_to("response/1")[-1]
    assert accepted.params["response_type"] == "in_channel"
    assert status(engine, claim) == ANSWERED


def test_a_command_past_its_response_url_is_given_up(engine: Engine, fake_slack: FakeSlack) -> None:
    claim = record(engine, fake_slack, "add vLLM inference")
    assert recorded.sweep(engine, clients(fake_slack), NOW + timedelta(minutes=31)) == 0
    assert status(engine, claim) == EXPIRED
    assert tool_names(engine) == []
    assert fake_slack.calls_to("response/1") == []


def test_a_command_that_fails_says_so_once_and_changes_nothing(
    engine: Engine, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setitem(HANDLERS, grammar.Add, broken)
    claim = record(engine, fake_slack, "add vLLM inference")
    recorded.run(engine, fake_slack.client(), claim)
    [answer] = fake_slack.calls_to("response/1")
    assert "went wrong on stackbot’s side: nothing was saved" in answer.params["text"]
    assert status(engine, claim) == ANSWERED
    assert tool_names(engine) == []


def test_a_store_failure_after_a_write_leaves_nothing_half_done(
    engine: Engine, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    add = HANDLERS[grammar.Add]

    def add_then_lose_the_store(*args: Any, **kwargs: Any) -> Any:
        add(*args, **kwargs)  # the tool row is written in the command's transaction ...
        raise OperationalError("INSERT ...", {}, Exception("server closed the connection"))

    monkeypatch.setitem(HANDLERS, grammar.Add, add_then_lose_the_store)
    claim = record(engine, fake_slack, "add vLLM inference")
    recorded.run(engine, fake_slack.client(), claim)
    [answer] = fake_slack.calls_to("response/1")
    assert "nothing was saved" in answer.params["text"]
    assert "Send the same command again" in str(answer.params["blocks"])
    assert tool_names(engine) == []  # ... and rolled back with it
    assert status(engine, claim) == ANSWERED
