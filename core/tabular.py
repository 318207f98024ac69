"""Spreadsheet files as rows: what a file is, its delimiter, its header, and its records with the
line each starts on. Shared by the stack import and the billing import; no store, no Slack."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from core.errors import Notice, Rejected
from core.text import nearest, normalise

# A cell longer than this is not a spreadsheet value (the longest stackbot keeps is 1,000
# characters of notes); the csv module refuses it instead of holding a 10 MB line in memory.
MAX_CELL = 100_000
DELIMITERS = (",", ";", "\t")
# Excel counts days from 30 December 1899 (its serial 60 is a 29 February 1900 that never was).
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = range(20_000, 80_000)  # 1954 .. 2119: a five-digit number in a date column
# How far down a file its header may sit: a title, a date and a blank line above it are common
# in spreadsheets people keep; further down, a file is more likely not the one meant.
MAX_HEADER_LINE = 12

_MAGIC = {
    b"PK\x03\x04": "excel",
    b"PAR1": "parquet",
    b"\x1f\x8b": "gzip",
    b"\xd0\xcf\x11\xe0": "excel",  # the old .xls format
}

csv.field_size_limit(MAX_CELL)


def sniff(head: bytes) -> str:
    """What a file is from its first bytes: "csv", "gzip", "parquet", "excel" or "binary"."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    if b"\x00" in head[:4096]:
        return "binary"  # UTF-16 from Excel's "Unicode text", or not text at all
    return "csv"


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # the file line the record starts on, counting the header as line 1
    cells: Mapping[str, str]  # canonical column -> the cell, stripped
    raw: Sequence[str] = ()  # every cell of the row as read, kept columns or not


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str | None, ...]  # canonical names in the file's order; None: skipped
    headers: Mapping[str, str] = field(default_factory=dict)  # canonical -> as the file spells it
    records: Iterator[Record] = field(default_factory=lambda: iter(()))


def text_stream(binary: IO[bytes]) -> IO[str]:
    """The file as text: UTF-8 with or without a byte-order mark, any line ending."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")


def text_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """The file's lines as UTF-8 text (a byte-order mark dropped), decoded one line at a time so
    that a byte that is not UTF-8 is reported on its own line."""
    for number, raw in enumerate(binary, start=1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected("not_utf8", line=number) from None


def read_table(
    lines: Iterator[str],
    aliases: Mapping[str, str],
    *,
    required: tuple[str, ...],
    skip_unknown: bool = False,
    notices: list[Notice] | None = None,
) -> Table:
    """The file's header matched to canonical columns (case, spaces and punctuation ignored),
    and a lazy iterator over its records. Raises Rejected for a file that has no usable header.

    `aliases` maps normalised spellings to canonical names; an unknown header is refused with the
    nearest known one, so a misspelt column never drops its values silently.

    With a `notices` list, the file is read as people keep spreadsheets: the header may sit
    below a title and blank lines (the first line holding every `required` column), a column
    that is no near miss of a known one is ignored, and each of those is told in `notices`.
    """
    first, skipped, rest = _header_line(lines, aliases, required, find=notices is not None)
    offset = len(skipped)
    delimiter = _delimiter(first, aliases)
    reader = csv.reader(_chain(first, rest), delimiter=delimiter)
    header = _next_row(reader, line=offset + 1)
    assert header is not None
    columns, headers, ignored = _match_header(
        header, aliases, skip_unknown=skip_unknown, warn=notices is not None, line=offset + 1
    )
    missing = [c for c in required if c not in columns]
    if missing:
        raise Rejected("missing_columns", line=offset + 1, missing=missing, found=list(header))
    if notices is not None:
        # A title is shown back in the notice: cut short, as a cell never is echoed whole.
        titles = [(n, text.strip().strip(",;\t ")) for n, text in enumerate(skipped, start=1)]
        titles = [(n, _short(text)) for n, text in titles if text]
        if titles:
            notices.append(Notice("title_rows_skipped", line=offset + 1, details={"rows": titles}))
        if ignored:
            notices.append(Notice("columns_ignored", line=offset + 1, details={"columns": ignored}))
    return Table(columns=columns, headers=headers, records=_records(reader, columns, offset=offset))


def _header_line(
    lines: Iterator[str], aliases: Mapping[str, str], required: tuple[str, ...], *, find: bool
) -> tuple[str, list[str], Iterator[str]]:
    """The header's line, the lines above it, and the lines after it. Without `find`, the first
    line is the header. With it, blank and title lines are passed over until a line names every
    required column; if none does near the top, the first line that is not blank is the header
    (and refused as any header without those columns is)."""
    first = next(lines, "")
    if not find:
        if not first.strip():
            raise Rejected("empty_file")
        return first, [], lines
    seen = [first]
    while len(seen) <= MAX_HEADER_LINE:
        if seen[-1].strip() and _names_required(seen[-1], aliases, required):
            return seen[-1], seen[:-1], lines
        following = next(lines, None)
        if following is None:
            break
        seen.append(following)
    filled = [n for n, line in enumerate(seen) if line.strip()]
    if not filled:
        raise Rejected("empty_file")
    # No line names every required column: the one naming the most known columns is the header
    # (the first filled line when none names any), and it is refused for what it lacks.
    at = max(filled, key=lambda n: (_known(seen[n], aliases), -n))
    return seen[at], seen[:at], itertools.chain(seen[at + 1 :], lines)


def _known(line: str, aliases: Mapping[str, str]) -> int:
    return max(
        sum(normalise(cell) in aliases for cell in _cells(line, delimiter))
        for delimiter in DELIMITERS
    )


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _names_required(line: str, aliases: Mapping[str, str], required: tuple[str, ...]) -> bool:
    for delimiter in DELIMITERS:
        found = {aliases.get(normalise(cell)) for cell in _cells(line, delimiter)}
        if all(column in found for column in required):
            return True
    return False


def _delimiter(header: str, aliases: Mapping[str, str]) -> str:
    """The delimiter that splits the header into the most known columns; the most frequent one
    when none does (as a header with no known column is refused anyway)."""

    def known(delimiter: str) -> int:
        return sum(normalise(cell) in aliases for cell in _cells(header, delimiter))

    best = max(DELIMITERS, key=known)
    return best if known(best) else max(DELIMITERS, key=header.count)


def _match_header(
    header: list[str], aliases: Mapping[str, str], *, skip_unknown: bool, warn: bool = False,
    line: int = 1,
) -> tuple[tuple[str | None, ...], dict[str, str], list[str]]:  # fmt: skip
    """The canonical column of each header cell; None for one that is skipped (a bill has
    dozens of columns stackbot does not need), and the headers ignored with `warn`: those that
    are no near miss of a known one (`Contract #`, not `Cots`)."""
    columns: list[str | None] = []
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for cell in header:
        key = normalise(cell.strip())
        canonical = aliases.get(key)
        if canonical is None and skip_unknown:
            columns.append(None)
            continue
        if canonical is None and warn and not _near_miss(cell, aliases):
            columns.append(None)
            if cell.strip():
                ignored.append(_short(cell.strip()))
            continue
        if not cell.strip():
            raise Rejected("blank_column", line=line, position=len(columns) + 1)
        if canonical is None:
            raise Rejected(
                "unknown_column", line=line, value=cell, suggestion=_suggest(cell, aliases)
            )
        if canonical in headers:
            raise Rejected("repeated_column", line=line, value=cell, other=headers[canonical])
        columns.append(canonical)
        headers[canonical] = cell.strip()
    return tuple(columns), headers, ignored


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _near_miss(cell: str, aliases: Mapping[str, str]) -> bool:
    """A header one typo away from a known one (`Cots`, `Layrs`, `Renwal`): refused, since its
    values would otherwise be lost without anyone noticing. `Contract ID` or `Vendor ID` is
    another column, not a typo, and is ignored."""
    key = normalise(cell)
    return len(key) >= 3 and any(_one_typo(key, alias) for alias in aliases)


def _one_typo(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one letter added, dropped, changed, or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    at = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[at:] == long[at + 1 :]


def _suggest(cell: str, aliases: Mapping[str, str]) -> str | None:
    closest = nearest(cell, aliases)
    return aliases[normalise(closest)] if closest else None


def _records(reader: Any, columns: tuple[str | None, ...], *, offset: int = 0) -> Iterator[Record]:
    wanted = [(i, name) for i, name in enumerate(columns) if name is not None]
    while True:
        start = offset + reader.line_num + 1
        row = _next_row(reader, line=start)
        if row is None:
            return
        if not any(cell.strip() for cell in row):
            continue  # a blank line, or a row of empty cells a spreadsheet left behind
        if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
            raise Rejected("extra_cells", line=start, expected=len(columns), found=len(row))
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in wanted}
        yield Record(line=start, cells=cells, raw=row)


def _next_row(reader: Any, *, line: int) -> list[str] | None:
    try:
        row: list[str] = _read(lambda: next(reader), line=line)
    except StopIteration:
        return None
    return row


def _read(step: Any, *, line: int) -> Any:
    """One read, with the csv module's and the decoder's failures as refusals that name the
    line."""
    try:
        return step()
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise Rejected("cell_too_long", line=line, limit=MAX_CELL) from None
        raise Rejected("bad_csv", line=line, reason=str(error)) from None


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def excel_date(text: str) -> date | None:
    """A date cell as Excel exports it: a serial day number ("46082"), or a date with a
    midnight time ("2027-03-01 00:00:00"). None when the cell is neither."""
    if text.isdigit() and len(text) <= 5 and int(text) in EXCEL_SERIALS:
        return EXCEL_EPOCH + timedelta(days=int(text))
    head, _, time = text.partition(" ")
    if time in ("00:00:00", "00:00", "0:00") and len(head) == 10 and head[4] == "-":
        try:
            return date.fromisoformat(head)
        except ValueError:
            return None
    return None
