"""A stack file of any supported format (CSV, a JSON export, Backstage YAML) as (line, cells)
per tool, read with the bounds of core/limits.py: whatever the bytes, the result is rows or a
Rejected that says what was wrong, within a second or so and in bounded memory."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from core import backstage, bounded
from core.cells import restore
from core.errors import Notice, Rejected
from core.importing import ALIASES, stack_records
from core.limits import STACK_MAX_BYTES, STACK_MAX_CELL, STACK_MAX_ROWS
from core.tabular import read_table, sniff, text_lines
from core.text import nearest, normalise
from core.xlsx import xlsx_lines

HEAD = 4096
Records = Iterator[tuple[int, dict[str, str]]]


def records(binary: IO[bytes], notices: list[Notice] | None = None) -> Records:
    """(line, cells) for each tool; at most STACK_MAX_ROWS of them, each cell at most
    STACK_MAX_CELL characters.

    With a `notices` list, a spreadsheet is read as people keep one (core.importing's
    stack_records): its header found below a title, unknown columns ignored, a TOTAL row
    skipped, each told in `notices`; and an Excel workbook (.xlsx, `binary` seekable) is read
    as its first sheet saved as CSV would be."""
    for line, cells in bounded.at_most(_records(binary, notices), STACK_MAX_ROWS):
        if any(len(cell) > STACK_MAX_CELL for cell in cells.values()):
            raise Rejected("cell_too_long", line=line, limit=STACK_MAX_CELL)
        yield line, cells


def _records(binary: IO[bytes], notices: list[Notice] | None) -> Records:
    head = binary.peek(HEAD)[:HEAD] if isinstance(binary, io.BufferedReader) else _head(binary)
    kind = sniff(head)
    if kind == "excel" and head.startswith(b"PK") and notices is not None:
        yield from _sheet(xlsx_lines(binary), notices)
        return
    if kind != "csv":
        raise Rejected("wrong_format", kind=kind)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith((b"[", b"{")):
        yield from _json_records(bounded.whole(binary))
    elif start.startswith((b"apiVersion", b"---", b"#", b"kind")):
        yield from backstage.entities(bounded.yaml_documents(bounded.whole(binary)))
    else:
        # Every line is a byte at least: the size cap bounds the line count too.
        lines = bounded.lines(binary, max_bytes=STACK_MAX_BYTES, max_lines=STACK_MAX_BYTES)
        if notices is not None:
            yield from _sheet(text_lines(lines), notices)
            return
        table = read_table(text_lines(lines), ALIASES, required=("name",))
        for record in table.records:
            yield record.line, {column: restore(cell) for column, cell in record.cells.items()}


def _sheet(lines: Iterator[str], notices: list[Notice]) -> Records:
    for line, cells in stack_records(lines, notices):
        yield line, {column: restore(cell) for column, cell in cells.items()}


def _head(binary: IO[bytes]) -> bytes:
    position = binary.tell()
    head = binary.read(HEAD)
    binary.seek(position)
    return head


def _json_records(text: str) -> Records:
    data = bounded.json_value(text)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise Rejected("bad_json", line=1)
    if len(data) > STACK_MAX_ROWS:
        raise Rejected("too_many_rows", limit=STACK_MAX_ROWS)
    bounded.check_tree(data)
    for index, item in enumerate(data, start=1):
        cells = {}
        for key, value in item.items():
            column = ALIASES.get(normalise(str(key)))
            if column is None:
                guess = nearest(str(key), ALIASES)
                suggestion = ALIASES[normalise(guess)] if guess else None
                raise Rejected("unknown_column", line=index, value=str(key), suggestion=suggestion)
            cells[column] = _cell(value)
        yield index, cells


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value).strip()
