"""Excel workbooks read as the same sheet saved as CSV would be."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from core.errors import Notice, Rejected
from core.importing import Problem, Row, parse_row
from core.stackfile import records
from core.xlsx import _kind, xlsx_lines

SAMPLES = Path(__file__).parents[1] / "samples"
TODAY = date(2026, 12, 7)


def slack_knows_ana(email: str) -> str | None:
    return {"ana@example.com": "U0ANA"}.get(email)


def read(path: Path) -> tuple[list[Row], list[Problem], list[Notice]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    notices: list[Notice] = []
    with path.open("rb") as binary:
        for line, cells in records(binary, notices):
            parsed = parse_row(line, cells, today=TODAY, lookup=slack_knows_ana, notices=notices)
            if isinstance(parsed, Row):
                rows.append(parsed)
            else:
                problems.extend(parsed)
    return rows, problems, notices


def test_the_sample_workbook_reads_as_the_sample_csv_does() -> None:
    from_excel = read(SAMPLES / "stack_spreadsheet.xlsx")
    from_csv = read(SAMPLES / "stack_spreadsheet.csv")
    assert from_excel[1] == []
    assert [(r.line, r.name) for r in from_excel[0]] == [(r.line, r.name) for r in from_csv[0]]
    assert [r.fields for r in from_excel[0]] == [r.fields for r in from_csv[0]]
    assert [(n.code, n.line) for n in from_excel[2]] == [(n.code, n.line) for n in from_csv[2]]


def test_it_writes_a_workbook_row_per_line_with_dates_and_currencies_from_formats() -> None:
    with (SAMPLES / "stack_spreadsheet.xlsx").open("rb") as binary:
        lines = list(xlsx_lines(binary))
    assert lines[2] == "\n"  # row 3 is empty: line numbers stay the sheet's row numbers
    assert lines[4].startswith("CoreWeave,CoreWeave,GPU cloud,$ 456000,USD,")
    assert "2027-06-30" in lines[4]  # a date-formatted serial
    assert lines[6].startswith("Scale AI,Scale,Data labeling,€ 150000,EUR,")


@pytest.mark.parametrize(
    ("number", "code", "kind"),
    [
        (14, None, "date"),
        (0, None, None),
        (164, "#,##0.00\\ [$€-407]", "€"),
        (165, '"$"#,##0', "$"),
        (166, "[$USD] #,##0.00", "USD"),
        (167, '_-* #,##0.00\\ "€"_-;\\-* #,##0.00\\ "€"_-', "€"),
        (168, "#,##0 kr", None),
        (169, '#,##0\\ "kr"', "kr"),
        (170, "[$-409]mmmm d, yyyy", "date"),
        (171, "dd/mm/yyyy", "date"),
        (172, "0.00%", None),
        (173, '"€"#,##0;"£"#,##0', None),  # two currencies: none is assumed
    ],
)
def test_it_reads_a_number_format_as_a_date_or_a_currency(
    number: int, code: str | None, kind: str | None
) -> None:
    assert _kind(number, code) == kind


def sheet(rows: str) -> dict[str, str]:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return {
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{doc}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{rels}">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{rows}</sheetData>'
        "</worksheet>",
    }


def test_a_minimal_workbook_reads() -> None:
    rows = (
        '<row r="2"><c r="B2" t="inlineStr"><is><t>vLLM</t></is></c><c r="D2"><v>1.50</v></c></row>'
    )
    assert list(xlsx_lines(workbook(sheet(rows)))) == ["\n", ",vLLM,,1.5\n"]


def workbook(members: dict[str, str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        for name, text in members.items():
            book.writestr(name, text)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    "binary",
    [
        io.BytesIO(b"PK\x03\x04 not really a zip"),
        workbook({"xl/workbook.xml": "<workbook/>"}),
        workbook({"xl/workbook.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>'}),
        workbook(sheet('<row r="x"><c r="A1"><v>1</v></c></row>')),
        workbook(sheet('<row r="5"><c r="A5"><v>1</v></c></row><row r="2"/>')),
        workbook(sheet('<row r="99999999"><c r="A1"><v>1</v></c></row>')),
        workbook(sheet('<row r="1"><c r="A1" s="x"><v>1</v></c></row>')),
    ],
)
def test_it_refuses_a_workbook_it_cannot_read(binary: io.BytesIO) -> None:
    with pytest.raises(Rejected) as caught:
        list(xlsx_lines(binary))
    assert caught.value.code == "bad_xlsx"


@pytest.mark.parametrize("head", [b"\xd0\xcf\x11\xe0rest", b"PAR1rest"])
def test_an_old_xls_or_a_bill_is_not_a_stack_spreadsheet(head: bytes) -> None:
    with pytest.raises(Rejected) as caught:
        list(records(io.BytesIO(head), []))
    assert caught.value.code == "wrong_format"


def test_without_notices_a_workbook_is_refused_as_before() -> None:
    with (
        (SAMPLES / "stack_spreadsheet.xlsx").open("rb") as binary,
        pytest.raises(Rejected) as caught,
    ):
        list(records(binary))
    assert (caught.value.code, caught.value.details["kind"]) == ("wrong_format", "excel")
