"""The first sheet of an Excel workbook (.xlsx) as CSV lines, so that it is read exactly as the
same sheet saved as CSV is: same header search, same columns, same line numbers (a sheet's row
numbers). Standard library only; no formulas are evaluated, the values Excel saved are read.

A number formatted as a date is written as an ISO date; a number formatted with one currency
symbol or code (`#,##0.00 [$€-407]`, `"£"#,##0`) gets it in front, so `150000` shown as
`€150,000.00` reads as euros, never as the default currency.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.etree import ElementTree

from core.errors import Rejected
from core.tabular import EXCEL_EPOCH

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# A sheet of stack tools is small; a member that unpacks to more is refused, not read.
MAX_MEMBER = 10_000_000
MAX_ROW = 1_048_576  # Excel's last row
# Excel's built-in number formats that show a date (ECMA-376 part 1, 18.8.30).
DATE_FORMATS = frozenset({14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_CURRENCY_TAG = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]")
_QUOTED = re.compile(r'"([^"]*)"')
_SYMBOLS = "$€£¥₹₩₪₺"
_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def xlsx_lines(binary: IO[bytes]) -> Iterator[str]:
    """The workbook's first sheet, one CSV line per sheet row (empty rows included, so line n
    is row n). Raises Rejected("bad_xlsx") for a file that is not a workbook stackbot can read."""
    try:
        book = zipfile.ZipFile(binary)
    except (zipfile.BadZipFile, OSError):
        raise Rejected("bad_xlsx", reason="not a zip archive") from None
    with book:
        try:
            strings = _shared_strings(book)
            styles = _styles(book)
            yield from _rows(book, _first_sheet(book), strings, styles)
        except (ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
            # A damaged member or attribute (`r="x"`, a bad CRC): refused, never a crash.
            raise Rejected("bad_xlsx", reason="it is damaged") from error


def _xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = book.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MEMBER:
        raise Rejected("bad_xlsx", reason=f"{name} is too large")
    data = book.read(info)
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:2048]:
        raise Rejected("bad_xlsx", reason="it declares XML entities")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise Rejected("bad_xlsx", reason=f"{name} is not XML") from None


def _first_sheet(book: zipfile.ZipFile) -> str:
    workbook = _xml(book, "xl/workbook.xml")
    rels = _xml(book, "xl/_rels/workbook.xml.rels")
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet") if workbook is not None else None
    if sheet is None or rels is None:
        raise Rejected("bad_xlsx", reason="it has no sheet")
    wanted = sheet.get(f"{DOC_RELS}id")
    for rel in rels.iter(f"{RELS}Relationship"):
        if rel.get("Id") == wanted:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise Rejected("bad_xlsx", reason="it has no sheet")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    table = _xml(book, "xl/sharedStrings.xml")
    if table is None:
        return []
    return [_text(item) for item in table.iter(f"{MAIN}si")]


def _text(item: ElementTree.Element) -> str:
    """A string item's text: plain, or rich-text runs joined (phonetic guides left out)."""
    runs = [run.findtext(f"{MAIN}t") or "" for run in item.findall(f"{MAIN}r")]
    return (item.findtext(f"{MAIN}t") or "") + "".join(runs)


def _styles(book: zipfile.ZipFile) -> list[str | None]:
    """For each cell style: "date", a currency ("€", "USD"), or None."""
    sheet = _xml(book, "xl/styles.xml")
    if sheet is None:
        return []
    codes = {
        int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
        for fmt in sheet.iter(f"{MAIN}numFmt")
    }
    xfs = sheet.find(f"{MAIN}cellXfs")
    kinds: list[str | None] = []
    for xf in xfs if xfs is not None else []:
        number = int(xf.get("numFmtId", "0"))
        kinds.append(_kind(number, codes.get(number)))
    return kinds


def _kind(number: int, code: str | None) -> str | None:
    if code is None:
        return "date" if number in DATE_FORMATS else None
    tagged = {m for m in _CURRENCY_TAG.findall(code) if m}
    # Quoted text in a number format is a unit shown beside the figure: "€", "EUR", "kr".
    quoted = {q for q in _QUOTED.findall(code) if 0 < len(q.strip()) <= 4}
    bare = {ch for ch in _QUOTED.sub("", _CURRENCY_TAG.sub("", code)) if ch in _SYMBOLS}
    found = {c.strip() for c in tagged | quoted | bare if c.strip()}
    if len(found) == 1:
        return found.pop()
    unquoted = _QUOTED.sub("", _CURRENCY_TAG.sub("", code)).replace("\\", "")
    if not found and re.search(r"[dy]", unquoted, re.IGNORECASE) and "0" not in unquoted:
        return "date"
    return None


def _rows(
    book: zipfile.ZipFile, name: str, strings: list[str], styles: list[str | None]
) -> Iterator[str]:
    sheet = _xml(book, name)
    data = sheet.find(f"{MAIN}sheetData") if sheet is not None else None
    if data is None:
        raise Rejected("bad_xlsx", reason="its first sheet has no data")
    number = 0
    for row in data.iter(f"{MAIN}row"):
        at = int(row.get("r", number + 1))
        if not number < at <= MAX_ROW:
            raise Rejected("bad_xlsx", reason=f"its row numbers are out of order at row {at}")
        while number < at - 1:  # rows Excel leaves out are blank lines
            number += 1
            yield "\n"
        number = at
        cells: dict[int, str] = {}
        for cell in row.iter(f"{MAIN}c"):
            position = _column(cell.get("r", ""), default=len(cells))
            cells[position] = _value(cell, strings, styles)
        out = io.StringIO()
        width = max(cells, default=-1) + 1
        csv.writer(out, lineterminator="\n").writerow([cells.get(i, "") for i in range(width)])
        yield out.getvalue()


def _column(reference: str, *, default: int) -> int:
    match = _CELL.match(reference)
    if match is None:
        return default
    index = 0
    for letter in match[1]:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _value(cell: ElementTree.Element, strings: list[str], styles: list[str | None]) -> str:
    kind = cell.get("t", "n")
    raw = cell.findtext(f"{MAIN}v") or ""
    if kind == "s":
        return strings[int(raw)] if raw.isdigit() and int(raw) < len(strings) else ""
    if kind == "inlineStr":
        inline = cell.find(f"{MAIN}is")
        return _text(inline) if inline is not None else ""
    if kind == "b":
        return "TRUE" if raw == "1" else "FALSE"
    if kind != "n" or not raw:
        return raw
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return raw
    style = int(cell.get("s", "0"))
    shown = styles[style] if style < len(styles) else None
    if shown == "date" and amount == amount.to_integral_value():
        return (EXCEL_EPOCH + timedelta(days=int(amount))).isoformat()
    figure = f"{amount:f}"
    if "." in figure:
        figure = figure.rstrip("0").rstrip(".")
    return f"{shown} {figure}" if shown and shown != "date" else figure
