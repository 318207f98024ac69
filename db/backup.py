"""`stackbot backup FILE`: a consistent copy of a SQLite store taken while it serves.

SQLite's online backup API copies the database page by page under one read transaction; in WAL
mode a reader never blocks writers, so commands keep being stored while the copy is made, and
the copy is the store as of one commit, last `-wal` pages included (a plain file copy misses
them). https://www.sqlite.org/backup.html

PostgreSQL has its own tool for this, `pg_dump`, which stackbot does not reimplement.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from core.errors import Rejected


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    size: int  # bytes


def backup(engine: Engine, target: Path) -> Backup:
    """Copy the store behind `engine` to `target`, a new file that opens on its own (no `-wal`
    beside it). Raises Rejected on PostgreSQL, when `target` exists already, or when its folder
    does not."""
    if engine.dialect.name != "sqlite":
        raise Rejected("backup_needs_pg_dump")
    if target.exists():
        raise Rejected("backup_exists", value=str(target))
    if not target.parent.is_dir():
        raise Rejected("backup_no_folder", value=str(target.parent))
    # Written beside the target and renamed when whole, so a crash never leaves half a backup
    # under the name that was asked for.
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(partial)
        try:
            # One step (pages=-1): the whole copy under one read transaction. Copied in steps,
            # a write from another connection between two steps restarts the copy, and steady
            # writers could keep it from ever finishing.
            source.driver_connection.backup(copy, pages=-1)  # type: ignore[union-attr]
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if problem != "ok":  # pragma: no cover - only a damaged source store gets here
        partial.unlink(missing_ok=True)
        raise Rejected("backup_damaged", value=str(problem)[:200])
    partial.replace(target)
    return Backup(path=target, size=target.stat().st_size)
