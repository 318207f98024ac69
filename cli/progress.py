"""A progress bar for long imports, drawn on a terminal only: piped or redirected output gets
no bar and no control characters."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import IO, Protocol, Self

WIDTH = 30
EVERY = 5_000  # rows between redraws: drawing is cheap, but not per row of a million


class Tells(Protocol):
    """Where reading has got to, in bytes: an open file, or the parts of a manifest together."""

    def tell(self) -> int: ...


class Progress:
    """Counts rows; shows how far through the file (in bytes, read from `source`) it is."""

    def __init__(self, total: int, source: Tells, *, out: IO[str] | None = None) -> None:
        self.total = max(total, 1)
        self.source = source
        self.out = out or sys.stderr
        self.rows = 0
        self.shown = self.out.isatty()

    def __call__(self, rows: int) -> None:
        before = self.rows
        self.rows += rows
        if self.shown and before // EVERY != self.rows // EVERY:
            self._draw()

    def _draw(self) -> None:
        try:
            done = min(self.source.tell() / self.total, 1.0)
        except (OSError, ValueError):
            return
        filled = int(done * WIDTH)
        bar = "█" * filled + "░" * (WIDTH - filled)
        self.out.write(f"\r{bar} {done:4.0%} · {self.rows:,} rows")
        self.out.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.shown and self.rows >= EVERY:
            self.out.write("\n")
            self.out.flush()
