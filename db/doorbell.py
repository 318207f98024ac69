"""How an idle worker learns that a command was recorded: PostgreSQL's LISTEN/NOTIFY, or a
short poll of the status index on SQLite. The store is the queue; this only says when to look.

https://www.postgresql.org/docs/current/sql-notify.html
https://www.psycopg.org/psycopg3/docs/advanced/async.html#asynchronous-notifications
"""

from __future__ import annotations

import logging
import threading
from contextlib import closing
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine

from db import commands
from db.engine import session_scope

logger = logging.getLogger(__name__)
# SQLite: how often an idle worker looks for a queued command; half of it is what a command
# waits on average before a worker sees it. A look asks SQLite whether anyone wrote to the file
# since the last look (`PRAGMA data_version`, microseconds), and reads the status index only
# when someone did: an idle worker costs about 4 ms of CPU a second, its sweeps included
# (bench/README.md).
POLL_SECONDS = 0.05
# PostgreSQL: how long one wait for a NOTIFY lasts before the worker checks whether it was told
# to stop (SIGTERM). A NOTIFY sent while the listening connection was being made again is never
# delivered: the worker also looks at the queue at every sweep (bot.worker.SWEEP_SECONDS).
LISTEN_SECONDS = 1.0


class Doorbell(Protocol):
    def wait(self, stop: threading.Event) -> bool:
        """Wait a little: True when a command may be waiting, False when the wait ran out (or
        `stop` was set)."""

    def close(self) -> None: ...


class Poll:
    """SQLite: every POLL_SECONDS, if the file changed, look at the index in a read-only
    transaction (no lock). https://www.sqlite.org/pragma.html#pragma_data_version"""

    def __init__(self, engine: Engine, seconds: float = POLL_SECONDS) -> None:
        self._engine = engine
        self._seconds = seconds
        # A connection of its own: data_version changes with commits made by other connections.
        self._watch: Any = None
        self._version: object = None

    def wait(self, stop: threading.Event) -> bool:
        if stop.wait(self._seconds):
            return False
        if self._watch is None:
            self._watch = self._engine.raw_connection()
        version = self._watch.cursor().execute("PRAGMA data_version").fetchone()[0]
        if version == self._version:
            return False
        self._version = version
        with session_scope(self._engine, write=False) as session:
            return commands.waiting(session=session)

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None


class Listen:
    """PostgreSQL: a connection of its own, in autocommit, LISTENing on db.commands.CHANNEL."""

    def __init__(self, engine: Engine, seconds: float = LISTEN_SECONDS) -> None:
        url = engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._seconds = seconds
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self._conninfo, autocommit=True)
            self._connection.execute(f"LISTEN {commands.CHANNEL}")
        return self._connection

    def wait(self, stop: threading.Event) -> bool:
        if stop.is_set():
            return False
        try:
            # Notifications that came while the worker was busy were kept by psycopg: they
            # come out at once here.
            # Closed at once, not left to the garbage collector: it holds the connection's lock.
            with closing(self._connect().notifies(timeout=self._seconds, stop_after=1)) as told:
                for _ in told:
                    return True
        except psycopg.OperationalError:
            logger.warning("listening for commands failed; connecting again", exc_info=True)
            self.close()
            stop.wait(self._seconds)
            return True  # whatever was announced meanwhile is in the queue
        return False

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def doorbell(engine: Engine) -> Doorbell:
    if engine.dialect.name == "postgresql":
        return Listen(engine)
    return Poll(engine)
