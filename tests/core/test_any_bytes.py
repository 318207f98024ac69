"""Whatever bytes come in, every importer in core/ ends in rows or a Rejected that templates/
can word: never another exception, never a hang."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import billing, stackfile
from core.catalog import load_catalog
from core.errors import Rejected
from core.importing import Row, parse_row
from templates.render import render

TODAY = date(2026, 11, 28)
PREFIXES = [
    b"", b"\xef\xbb\xbf", b"[", b"{", b"---\n", b"apiVersion: x\n", b"kind: Component\n",
    b"name,layers,cost,renews,owner\n", b"name;notes\n",
    b"BilledCost,BillingCurrency,ChargePeriodStart,ServiceName,ServiceCategory,Tags\n",
]  # fmt: skip
# The characters that steer YAML, JSON and CSV parsers, so the fuzz reaches past their first line.
SYNTAX = st.text(alphabet="[]{}:,;-&*!|>?%@`'\"\\\n\t #=+.0129aeEnx~<\r\u00e9\u2028", max_size=200)
# A deadline far above what any example takes (milliseconds), so only a hang trips it.
fast = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def worded(read: Callable[[], None]) -> None:
    """Runs `read`; a refusal must be one the import report can word."""
    try:
        read()
    except Rejected as rejected:
        refused = rejected
    else:
        return
    message = render("transfer_error", code=refused.code, **refused.details)
    assert message["text"].strip()


def read_stack(data: bytes) -> None:
    def read() -> None:
        for line, cells in stackfile.records(io.BytesIO(data)):
            parsed = parse_row(line, cells, today=TODAY, lookup=lambda email: None)
            assert isinstance(parsed, Row | list)

    worded(read)


def read_bill(data: bytes, *, gzipped: bool) -> None:
    bill = billing.Bill()
    matcher = billing.Matcher([billing.Billable(1, "bedrock", None, "tag:team=ml")], CATALOG)

    def read() -> None:
        for line, cells, _ in billing.csv_charges(io.BytesIO(data), gzipped=gzipped):
            billing.add_charge(bill, matcher, line, cells, today=TODAY)

    worded(read)


CATALOG = load_catalog()


@fast
@given(st.sampled_from(PREFIXES), st.binary(max_size=300))
def test_any_bytes_as_a_stack_file_end_in_rows_or_a_refusal(prefix: bytes, data: bytes) -> None:
    read_stack(prefix + data)


@fast
@given(st.sampled_from(PREFIXES), SYNTAX)
def test_any_text_as_a_stack_file_end_in_rows_or_a_refusal(prefix: bytes, text: str) -> None:
    read_stack(prefix + text.encode())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(max_examples=30, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["name", "cost", "layers", "x"]), json_values, max_size=3),
        max_size=3,
    )
)
def test_any_json_list_ends_in_rows_or_a_refusal(items: list[dict[str, object]]) -> None:
    read_stack(json.dumps(items).encode())


@fast
@given(st.sampled_from(PREFIXES), st.binary(max_size=300))
def test_any_bytes_as_a_bill_end_in_totals_or_a_refusal(prefix: bytes, data: bytes) -> None:
    read_bill(prefix + data, gzipped=False)
    read_bill(gzip.compress(prefix + data), gzipped=True)
    read_bill(prefix + data, gzipped=True)  # not a gzip at all


@fast
@given(SYNTAX)
def test_any_text_as_bill_rows_ends_in_totals_or_a_refusal(text: str) -> None:
    read_bill(PREFIXES[-1] + text.encode(), gzipped=False)


# One character many times over, in any cell: how deep nesting and long runs reach a parser.
REPEATED = st.builds(
    lambda character, times: character * times,
    st.sampled_from(list("[{\"'\\=-+@,;:&*!|>\n\r\t 9.e")),
    st.integers(0, 60_000),
)
STACK_COLUMNS = ("name", "layers", "cost", "renews", "owner", "notes", "billing")
BILL_COLUMNS = (
    "BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName", "ServiceCategory", "Tags",
)  # fmt: skip


def csv_file(columns: tuple[str, ...], cells: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerow(cells)
    return out.getvalue().encode()


@settings(max_examples=60, deadline=2000)
@given(REPEATED, st.sampled_from(STACK_COLUMNS))
def test_a_long_run_in_any_stack_cell_ends_in_rows_or_a_refusal(cell: str, column: str) -> None:
    cells = {"name": "vLLM", "layers": "inference", "cost": "10", "renews": "2027-01-01"}
    cells |= {"owner": "U0123ABCD", "notes": "n", "billing": "team=ml", column: cell}
    read_stack(csv_file(STACK_COLUMNS, cells))
    read_stack(json.dumps([cells]).encode())


@settings(max_examples=60, deadline=2000)
@given(REPEATED, st.sampled_from(BILL_COLUMNS))
def test_a_long_run_in_any_bill_cell_ends_in_totals_or_a_refusal(cell: str, column: str) -> None:
    cells = {"BilledCost": "1", "BillingCurrency": "USD", "ChargePeriodStart": "2026-10-01"}
    cells |= {"ServiceName": "Bedrock", "ServiceCategory": "AI and Machine Learning"}
    read_bill(
        csv_file(BILL_COLUMNS, cells | {"Tags": '{"team": "ml"}', column: cell}), gzipped=False
    )
