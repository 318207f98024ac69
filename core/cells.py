"""CSV cells that are safe to open in a spreadsheet, and back.

Excel, Sheets and LibreOffice run a cell that begins with `=`, `+`, `-` or `@` as a formula
(a tab or carriage return first can hide one), so a tool named `=HYPERLINK(…)` in an export
runs when the file is opened. OWASP's remedy is a leading apostrophe, which spreadsheets read as
"this is text": https://owasp.org/www-community/attacks/CSV_Injection

The importer takes the apostrophe off again, so an export imported back is exactly the stack
it came from: `-ops` is written `'-ops` and read as `-ops`. A cell that begins with an
apostrophe of its own gets a second one, so it too comes back as it was.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_MARKED = (*TRIGGERS, QUOTE)


def neutralise(cell: str) -> str:
    """The cell as an export writes it: an apostrophe first when it begins with a formula
    character or an apostrophe."""
    return QUOTE + cell if cell.startswith(_MARKED) else cell


def restore(cell: str) -> str:
    """The cell as it was before `neutralise`: `restore(neutralise(x)) == x` for every x."""
    if cell.startswith(QUOTE) and cell[1:].startswith(_MARKED):
        return cell[1:]
    return cell
