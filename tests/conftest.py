"""Fixtures shared by every test: a fresh store per test, on SQLite and (when
TEST_DATABASE_URL is set) on PostgreSQL, and frozen time."""

from __future__ import annotations

import os
import types
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk.http_retry import builtin_handlers, handler
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from bot.commands import Context, Reply, run_command
from core.settings import Settings
from db import open_store

pytest_plugins = ["tests.fake_slack"]  # the fake_slack fixture, for every test

# The people in these tests, as Slack user ids.
ALICE = "UALICE"  # a stack admin: may change anything
BOB = "UBOB"  # a member: adds tools, edits the ones he owns
CHARLIE = "UCHARLIE"  # a member of another workspace
TEAM = "TALPHA"
OTHER_TEAM = "TBETA"
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/stack.db"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL runs only when TEST_DATABASE_URL is set (.ci/run sets it)")
    url = make_url(Settings.from_environ({"DATABASE_URL": base}).database_url)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:  # fails the test, never skips, when PostgreSQL is down
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_store(database_url)
    yield engine
    engine.dispose()


class Stack:
    """Types /stack commands as one person in one workspace, at a frozen time."""

    def __init__(self, engine: Engine, *, team: str = TEAM, user: str = ALICE) -> None:
        self.engine = engine
        self.team = team
        self.user = user
        self.now = NOW

    def __call__(self, command: str, *, user: str | None = None, team: str | None = None) -> Reply:
        who = user or self.user
        context = Context(
            team_id=team or self.team,
            user_id=who,
            now=self.now,
            slack_admin=lambda: who == ALICE,  # Slack says Alice is a workspace admin
        )
        return run_command(self.engine, context, command)

    def ok(self, command: str, **kwargs: str) -> Reply:
        reply = self(command, **kwargs)
        assert reply.ok, reply.message["text"]
        return reply


@pytest.fixture
def stack(engine: Engine) -> Stack:
    return Stack(engine)


class FakeClock:
    """Monotonic time that moves only when someone sleeps: pacing without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """slack_sdk's retry handlers sleep through the time module; record instead of waiting."""
    recorded: list[float] = []
    fake_time = types.SimpleNamespace(sleep=recorded.append)
    monkeypatch.setattr(builtin_handlers, "time", fake_time)
    monkeypatch.setattr(handler, "time", fake_time)
    return recorded


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args: object) -> None:
        self.count += 1


@pytest.fixture
def queries(engine: Engine) -> QueryCounter:
    return QueryCounter(engine)
