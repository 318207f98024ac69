"""`backup` copies a SQLite store while commands are being written, consistently, to a file
that restores with nothing missing; a clean shutdown leaves nothing behind in `-wal`."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.errors import Rejected
from db import commands, open_store
from db.backup import backup
from db.engine import close_store, make_engine, session_scope
from db.models import SlackCommand
from templates.render import render
from tests.conftest import ALICE, NOW, TEAM


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    yield engine
    engine.dispose()


def record(engine: Engine, number: int) -> None:
    with session_scope(engine) as session:
        write(session, number)


def write(session: Session, number: int) -> None:
    commands.record(
        session=session, team_id=TEAM, user_id=ALICE, channel_id="C1",
        text=f"/stack add tool-{number}", response_url=f"https://hooks.example/{number}", now=NOW,
    )  # fmt: skip


def texts(path: Path) -> list[str]:
    """The commands a store file holds, opened as a restored store is: by `open_store`."""
    engine = open_store(f"sqlite:///{path}")
    try:
        with session_scope(engine, write=False) as session:
            rows = session.exec(select(SlackCommand).order_by(SlackCommand.id)).all()  # type: ignore[arg-type]
            return [row.text for row in rows]
    finally:
        engine.dispose()


def test_a_backup_taken_while_a_write_is_open_holds_every_commit_and_nothing_else(
    store: Engine, tmp_path: Path
) -> None:
    for number in range(3):
        record(store, number)
    writer = make_engine(f"sqlite:///{tmp_path}/stack.db")  # another process's connection
    with session_scope(writer) as session:
        write(session, 3)  # holds the write lock, uncommitted, while the backup runs
        began = time.perf_counter()
        during = backup(store, tmp_path / "during.db")
        assert time.perf_counter() - began < 1  # the writer does not make it wait
    writer.dispose()
    after = backup(store, tmp_path / "after.db")
    assert texts(during.path) == [f"/stack add tool-{n}" for n in range(3)]
    assert texts(after.path) == [f"/stack add tool-{n}" for n in range(4)]
    assert not Path(f"{during.path}-wal").exists()
    assert during.size == during.path.stat().st_size


def test_a_backup_taken_while_commands_stream_in_restores_with_nothing_missing(
    store: Engine, tmp_path: Path
) -> None:
    writer = make_engine(f"sqlite:///{tmp_path}/stack.db")
    written: list[int] = []
    stop = threading.Event()

    def write_commands() -> None:
        while not stop.is_set():
            record(writer, len(written))
            written.append(len(written))

    thread = threading.Thread(target=write_commands)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.001)
        before = len(written)
        copy = backup(store, tmp_path / "backup.db")
        after = len(written)
        while len(written) < after + 20:  # and the writer went on after it
            time.sleep(0.001)
    finally:
        stop.set()
        thread.join()
        writer.dispose()
    restored = tmp_path / "restored.db"
    shutil.copyfile(copy.path, restored)  # a restore: the file put where the store was
    kept = texts(restored)
    # Every command committed before the backup began, in order, none half-written; at most
    # the one that committed while it ran besides.
    assert before <= len(kept) <= after + 1
    assert kept == [f"/stack add tool-{n}" for n in range(len(kept))]


def test_a_backup_never_overwrites_a_file(store: Engine, tmp_path: Path) -> None:
    (tmp_path / "taken.db").write_bytes(b"keep me")
    with pytest.raises(Rejected) as refused:
        backup(store, tmp_path / "taken.db")
    assert refused.value.code == "backup_exists"
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"


def test_a_backup_into_a_missing_folder_is_refused_with_the_folder(
    store: Engine, tmp_path: Path
) -> None:
    with pytest.raises(Rejected) as refused:
        backup(store, tmp_path / "nowhere" / "backup.db")
    assert refused.value.details == {"value": str(tmp_path / "nowhere")}
    message = render("error", code=refused.value.code, **refused.value.details)
    assert message["text"].startswith("There is no folder")
    assert message["text"].endswith("nowhere` to write the backup in.")


def test_a_postgresql_store_is_sent_to_pg_dump(tmp_path: Path) -> None:
    engine = make_engine("postgresql://stackbot@127.0.0.1:9/unused")  # never connected to
    with pytest.raises(Rejected) as refused:
        backup(engine, tmp_path / "backup.db")
    message = render("error", code=refused.value.code, **refused.value.details)
    assert "pg_dump" in message["text"] + str(message["blocks"])
    assert not (tmp_path / "backup.db").exists()


def copy_of_the_database_file_alone(tmp_path: Path) -> Path:
    """What copying the store file after a shutdown gives, `-wal` left behind."""
    copy = tmp_path / "copied" / "stack.db"
    copy.parent.mkdir()
    shutil.copyfile(tmp_path / "stack.db", copy)
    return copy


@pytest.mark.parametrize("closing", ["close_store", "dispose"])
def test_a_clean_shutdown_leaves_the_last_commit_in_the_database_file(
    store: Engine, tmp_path: Path, closing: str
) -> None:
    record(store, 0)
    # The clock process still has the store open, so SQLite's own checkpoint on the last close
    # does not happen when the web worker stops.
    clock = sqlite3.connect(tmp_path / "stack.db")
    clock.execute("SELECT count(*) FROM slack_command").fetchone()
    record(store, 1)
    if closing == "close_store":
        close_store(store)
        assert texts(copy_of_the_database_file_alone(tmp_path))[-1] == "/stack add tool-1"
    else:  # what a plain dispose leaves: the last commit only in -wal
        store.dispose()
        assert "/stack add tool-1" not in texts(copy_of_the_database_file_alone(tmp_path))
    clock.close()
