"""The store: tables, the engine, query functions and migrations."""

from __future__ import annotations

from sqlalchemy import Engine

from db.engine import make_engine
from db.migrate import current, head, upgrade


def open_store(url: str) -> Engine:
    """An engine for `url`, with the schema brought up to date first."""
    engine = make_engine(url)
    if current(engine) != head():
        upgrade(engine)
    return engine
