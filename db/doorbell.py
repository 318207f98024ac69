"""How an idle worker learns that a command was recorded: PostgreSQL's LISTEN/NOTIFY, or a
short poll of the status index on SQLite. The store is the queue; this only says when to look.

https://www.postgresql.org/docs/current/sql-notify.html
https://www.psycopg.org/psycopg3/docs/advanced/async.html#asynchronous-notifications
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import psycopg
from sqlalchemy import Engine

from db import commands
from db.engine import session_scope

logger = logging.getLogger(__name__)
# SQLite: how often an idle worker looks for a queued command. A look is one read of the status
# index (about 0.1 ms of CPU; bench/README.md has the idle cost measured), and half of this is
# what a command waits on average before a worker sees it.
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
    """SQLite: look at the index every POLL_SECONDS, in a read-only transaction (no lock)."""

    def __init__(self, engine: Engine, seconds: float = POLL_SECONDS) -> None:
        self._engine = engine
        self._seconds = seconds

    def wait(self, stop: threading.Event) -> bool:
        if stop.wait(self._seconds):
            return False
        with session_scope(self._engine, write=False) as session:
            return commands.waiting(session=session)

    def close(self) -> None:
        pass


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
            for _ in self._connect().notifies(timeout=self._seconds, stop_after=1):
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
