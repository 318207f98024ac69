"""Whatever bytes come in, every importer in core/ ends in rows or a Rejected that templates/
can word: never another exception, never a hang."""

from __future__ import annotations

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
fast = settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])


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


@settings(max_examples=30, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
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
