"""Which rows of a big file were seen before, in flat memory: a digest per row in a temporary
SQLite file on disk (its page cache is the only memory it takes), so a bill of millions of
rows finds a row listed twice without holding the file."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self


class SeenRows:
    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="stackbot-rows-")
        self._db = sqlite3.connect(Path(self._folder.name) / "seen.db", isolation_level=None)
        # A scratch file: nothing to recover after a crash, so no journal and no fsync.
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (digest BLOB PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        self._db.execute("BEGIN")

    def first(self, row: str, line: int) -> int | None:
        """The line `row` was first seen on, or None (and it is remembered) when it is new."""
        digest = hashlib.blake2b(row.encode(), digest_size=16).digest()
        inserted = self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (digest, line))
        if inserted.rowcount:
            return None
        found = self._db.execute("SELECT line FROM seen WHERE digest = ?", (digest,)).fetchone()
        return int(found[0])

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
