"""Whatever bytes come in, a stack spreadsheet read as people keep one (core.stackfile with
notices: a header below a title, an .xlsx workbook) ends in rows and notices templates/ can
word, or a refusal it can word: never another exception, never a hang."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import stackfile
from core.errors import Notice, Rejected
from core.importing import Row, parse_row
from templates.render import environment, render

TODAY = date(2026, 11, 28)
PREFIXES = [
    b"", b"Our stack FY2027,,\n\n", b"Tool,Annual cost,Category,Contract #\n",
    b"title\nName;Monthly cost;Owner email\n", b"PK\x03\x04",
]  # fmt: skip
SYNTAX = st.text(alphabet="[]{}:,;-&*!|'\"\\\n\t #=+.0129aeEnx~<\r\u00e9€$¥kr/", max_size=200)
fast = settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
NOTICE_WORDS = environment().from_string(
    '{% import "_notices.j2" as w %}{{ w.said(n) }}\n{{ w.next(n) }}'
)


def read(data: bytes) -> None:
    notices: list[Notice] = []
    refused = _refusal(data, notices)
    if refused is not None:
        assert render("transfer_error", code=refused.code, **refused.details)["text"].strip()
    for notice in notices:
        assert NOTICE_WORDS.render(n=notice).strip()


def _refusal(data: bytes, notices: list[Notice]) -> Rejected | None:
    try:
        for line, cells in stackfile.records(io.BytesIO(data), notices):
            parsed = parse_row(line, cells, today=TODAY, lookup=lambda e: None, notices=notices)
            assert isinstance(parsed, Row | list)
    except Rejected as rejected:
        return rejected
    return None


@fast
@given(st.sampled_from(PREFIXES), st.binary(max_size=300))
def test_any_bytes_as_a_kept_spreadsheet_end_in_rows_or_a_refusal(
    prefix: bytes, data: bytes
) -> None:
    read(prefix + data)


@fast
@given(st.sampled_from(PREFIXES), SYNTAX)
def test_any_text_as_a_kept_spreadsheet_end_in_rows_or_a_refusal(prefix: bytes, text: str) -> None:
    read(prefix + text.encode())


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(SYNTAX, SYNTAX)
def test_any_sheet_xml_in_a_workbook_ends_in_rows_or_a_refusal(sheet: str, strings: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        rels = "http://schemas.openxmlformats.org/package/2006/relationships"
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{doc}"><sheets><sheet r:id="rId1"/></sheets>'
            "</workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{rels}"><Relationship Id="rId1" Target="worksheets/s.xml"/>'
            "</Relationships>",
        )
        book.writestr("xl/worksheets/s.xml", f'<worksheet xmlns="{main}"><sheetData>{sheet}')
        book.writestr("xl/sharedStrings.xml", strings)
    read(buffer.getvalue())
