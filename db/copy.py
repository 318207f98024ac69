"""`stackbot copy-store`: every row of one store into another, SQLite or PostgreSQL either way.

Both stores are brought to the newest schema first; the target must hold no workspace yet. The
source is read in one read transaction (a consistent picture while it serves) and the target
written in one transaction, so a copy is whole or not there at all. Rows keep their ids, and a
PostgreSQL target's id sequences are moved past them, so the next row gets a fresh id.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import SQLModel

import db.models  # noqa: F401 - registers every table of the store in SQLModel.metadata
from core.errors import Rejected
from db.engine import READ_ONLY

BATCH = 1_000  # rows per INSERT


def tables(engine: Engine) -> list[sa.Table]:
    """Every table the store keeps, parents before children: the store's own (as its models
    type them), then the others migration 0003 made (slack_sdk's installations and OAuth
    states), as `engine`'s database describes them."""
    own = SQLModel.metadata.sorted_tables
    names = set(sa.inspect(engine).get_table_names()) - {t.name for t in own}
    names.discard("alembic_version")
    others = sa.MetaData()
    others.reflect(bind=engine, only=sorted(names))
    return [*own, *others.sorted_tables]


def copy_store(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every row from `source` to `target` (both at the newest schema); how many rows each
    table got. Refused when the target holds a workspace already: a copy never merges."""
    reads, writes = tables(source), {t.name: t for t in tables(target)}
    unknown = {t.name for t in reads} - set(writes)
    if unknown:  # pragma: no cover - stores at different versions of stackbot
        raise Rejected("copy_unknown_tables", value=", ".join(sorted(unknown)))
    with target.connect() as connection:
        workspaces = writes["workspace"]
        if connection.execute(sa.select(sa.func.count()).select_from(workspaces)).scalar():
            raise Rejected("copy_target_not_empty")
    copied: dict[str, int] = {}
    reading = source.execution_options(**{READ_ONLY: True})
    with reading.connect() as read, read.begin(), target.begin() as write:
        for table in reads:
            rows = read.execute(sa.select(table)).mappings()
            count = 0
            for batch in _batches(rows):
                write.execute(writes[table.name].insert(), batch)
                count += len(batch)
            copied[table.name] = count
        if write.dialect.name == "postgresql":
            _move_sequences(write, list(writes.values()))
    return copied


def _batches(rows: Any) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := [dict(row) for row in islice(iterator, BATCH)]:
        yield batch


def _move_sequences(write: sa.Connection, known: list[sa.Table]) -> None:
    """Each serial id's sequence past the largest id copied (PostgreSQL hands out ids from a
    sequence that rows inserted with their own ids do not move)."""
    for table in known:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            sequence = write.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            largest = write.execute(sa.select(sa.func.max(column))).scalar()
            write.execute(
                sa.text("SELECT setval(:sequence, :next, false)"),
                {"sequence": sequence, "next": (largest or 0) + 1},
            )
