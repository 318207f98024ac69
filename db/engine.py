"""The engine, built from a URL when asked for, never at import time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "stackbot_read_only"
# Waits between tries while the database does not answer at start-up: 1, 2, 4, 8, then 15 s.
FIRST_WAIT, LONGEST_WAIT = 1.0, 15.0
logger = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The database did not answer; the message is one line, without the URL's password."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`: SQLite in WAL mode with IMMEDIATE write transactions, or PostgreSQL.

    Its errors carry no row data: a failed insert of a command would otherwise log the command's
    text and its response_url, which lets anyone post into that channel as the app for 30
    minutes. SQLAlchemy leaves the parameters out of its messages with `hide_parameters`; the
    listener below takes PostgreSQL's own copy of the row out of its error messages.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "handle_error", _without_row_data)
    return engine


def _without_row_data(context: ExceptionContext) -> None:
    # PostgreSQL's DETAIL quotes the row: "Failing row contains (…)" for a NOT NULL violation,
    # "Key (…)=(…) already exists" for a unique one. libpq can leave it out (terse verbosity)
    # but psycopg does not expose that, so the message is cut to its primary line here; the
    # detail stays on `error.diag` for whoever debugs it, out of every log.
    # https://www.postgresql.org/docs/current/protocol-error-fields.html
    original = context.original_exception
    diagnosis = getattr(original, "diag", None)
    primary = getattr(diagnosis, "message_primary", None)
    if not primary or str(original) == primary:
        return
    original.args = (primary,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None:
        kind = type(original)
        wrapped.args = (f"({kind.__module__}.{kind.__name__}) {primary}",)


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
    # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit (1.2 ms each on this
    # machine, with the write lock held): a commit survives the process being killed, and may
    # be lost only if the machine itself loses power. https://www.sqlite.org/pragma.html#pragma_synchronous
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A deferred transaction that reads, then writes, fails with "database is locked" when another
    # writer got there first; taking the write lock up front makes it wait its turn instead.
    # A transaction that only reads takes no lock at all: in WAL mode it never waits for writers.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises.

    `write=False` promises the block only reads; on SQLite it then queues behind no writer.
    """
    bind = engine if write else engine.execution_options(**{READ_ONLY: True})
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def close_store(engine: Engine) -> None:
    """Dispose of the engine on a clean shutdown, on SQLite checkpointing the write-ahead log
    into the database file first: SQLite does that by itself only when the last connection of
    every process closes, so a process that stops while another still has the store open would
    leave its last commits in `-wal`, and a copy of the database file alone would lose them.
    https://www.sqlite.org/wal.html#automatic_checkpoint
    """
    if engine.dialect.name == "sqlite":
        # On the driver's connection: a checkpoint cannot run inside the transaction that
        # SQLAlchemy would begin around it.
        connection = engine.raw_connection()
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        finally:
            connection.close()
    engine.dispose()


def wait_for(
    engine: Engine, *, seconds: float, shown: str, sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:  # fmt: skip
    """Return once the database answers; try for `seconds` (one line logged per failed try,
    waits growing from 1 s to 15 s), then raise StoreUnavailable. `shown` is the URL to name,
    its password masked."""
    deadline = clock() + seconds
    wait, attempt = FIRST_WAIT, 1
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except SQLAlchemyError as error:
            cause = _cause(error)
        left = deadline - clock()
        if left <= 0:
            tries = "once" if attempt == 1 else f"{attempt} times"
            raise StoreUnavailable(
                f"the database at {shown} did not answer (tried {tries} in {seconds:.0f} s): "
                f"{cause}"
            )
        pause = min(wait, left)
        logger.warning(
            "the database at %s did not answer (try %d): %s; trying again in %.0f s",
            shown, attempt, cause, pause,
        )  # fmt: skip
        sleep(pause)
        wait, attempt = min(wait * 2, LONGEST_WAIT), attempt + 1


def _cause(error: SQLAlchemyError) -> str:
    """The driver's own first line (psycopg's names the host and port, never the password)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


def ping(engine: Engine) -> bool:
    """Whether the database answers at all (for /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
