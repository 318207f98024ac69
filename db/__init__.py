"""The store: tables, the engine, query functions and migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.engine import make_engine, wait_for

if TYPE_CHECKING:
    from sqlalchemy import Engine


def open_store(url: str, *, wait_seconds: float = 0, shown: str = "DATABASE_URL") -> Engine:
    """An engine for `url`, with the schema brought up to date first. With `wait_seconds`, a
    database that does not answer yet is waited for (db.engine.wait_for); without, it is tried
    once. Either way one that never answers raises db.engine.StoreUnavailable."""
    from db.migrate import current, head, upgrade

    engine = make_engine(url)
    wait_for(engine, seconds=wait_seconds, shown=shown)
    if current(engine) != head():
        upgrade(engine)
    return engine
