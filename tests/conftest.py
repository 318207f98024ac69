"""Fixtures shared by every test: a fresh store per test, on SQLite and (when
TEST_DATABASE_URL is set) on PostgreSQL, and frozen time."""

from __future__ import annotations

import os
import shutil
import sys
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.http_retry import builtin_handlers, handler
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from core.settings import Settings
from db import open_store
from stack import Context, Reply, run_command

pytest_plugins = ["tests.fake_slack"]  # the fake_slack fixture, for every test

# The tests that start stackbot as a process import the whole app in each child. Where
# PYTHONDONTWRITEBYTECODE is set (it is on this machine kind), every child compiled every
# module from source again, about 3 s a start; with bytecode written once, a start reads it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# Fixtures that start `stackbot serve` as a process: a test using one is a `process` test.
PROCESS_FIXTURES = {"server", "oauth_server", "serving"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.process)


# The people in these tests, as Slack user ids.
ALICE = "UALICE"  # a stack admin: may change anything
BOB = "UBOB"  # a member: adds tools, edits the ones he owns
CHARLIE = "UCHARLIE"  # a member of another workspace
TEAM = "TALPHA"
OTHER_TEAM = "TBETA"
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def _postgres_base() -> str | None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    return str(Settings.from_environ({"DATABASE_URL": base}).database_url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store migrated once per run; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "stack.db"
    engine = open_store(f"sqlite:///{path}")
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per run; each test's database is created from it."""
    base = _postgres_base()
    if base is None:
        pytest.skip("PostgreSQL runs only when TEST_DATABASE_URL is set (.ci/run sets it)")
    name = f"stackbot_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # fails the run, never skips, when PostgreSQL is down
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        open_store(url).dispose()  # CREATE DATABASE ... TEMPLATE needs it without connections
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _postgres_database(template: str | None) -> Iterator[str]:
    base = _postgres_base()
    assert base is not None
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    source = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{source}'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store for one test, already at the newest schema: a copy of the run's template."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "stack.db")
        yield f"sqlite:///{tmp_path}/stack.db"
        return
    with _postgres_database(request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store with no tables at all, for the tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/stack.db"
        return
    if _postgres_base() is None:
        pytest.skip("PostgreSQL runs only when TEST_DATABASE_URL is set (.ci/run sets it)")
    with _postgres_database(None) as url:
        yield url


@pytest.fixture
def postgres_engine(postgres_template: str) -> Iterator[Engine]:
    """A fresh PostgreSQL store, for what only PostgreSQL does (skipped without the service)."""
    with _postgres_database(postgres_template) as url:
        engine = open_store(url)
        yield engine
        engine.dispose()


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
            slack_admin=who == ALICE,  # Slack says Alice is a workspace admin
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
