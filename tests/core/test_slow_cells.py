"""A long cell costs at most milliseconds to refuse, whichever column it is in: what a stack
file can hold is bounded in size, so its reading is bounded in time only if no cell is slow."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from datetime import date

import pytest

from core import limits, stackfile, tabular
from core.dates import parse_date
from core.errors import Rejected
from core.importing import COLUMNS, parse_row
from core.money import parse_cost
from core.tabular import excel_date

TODAY = date(2026, 11, 28)


def timed(step: Callable[[], object]) -> float:
    began = time.perf_counter()
    with contextlib.suppress(Rejected):
        step()
    return time.perf_counter() - began


def test_a_cost_with_a_long_run_of_spaces_is_refused_at_once() -> None:
    # The cost pattern's neighbouring `\s*` once tried every split of the run: 42 s for 2,000.
    assert timed(lambda: parse_cost("1" + " " * 100_000 + "x")) < 0.05
    with pytest.raises(Rejected) as refused:
        parse_cost("1" + " " * 2_000 + "x")
    assert refused.value.code == "bad_cost"


@pytest.mark.parametrize(
    ("text", "amount", "currency", "period"),
    [("1200/mo", "1200.00", "USD", "month"), ("EUR  900 \t per   month", "900.00", "EUR", "month"),
     ("$ 14k  /yr", "14000.00", "USD", "year"), ("  99\u00a0GBP  ", "99.00", "GBP", "month")],
)  # fmt: skip
def test_a_cost_reads_the_same_whatever_its_spacing(
    text: str, amount: str, currency: str, period: str
) -> None:
    cost = parse_cost(text)
    assert (str(cost.amount), cost.currency, cost.period) == (amount, currency, period)


def test_a_long_date_is_refused_without_asking_dateutil() -> None:
    assert timed(lambda: parse_date(";" * 100_000, today=TODAY)) < 0.01
    with pytest.raises(Rejected) as refused:
        parse_date("1 " * 40, today=TODAY)
    assert refused.value.code == "bad_date"
    assert parse_date("Wednesday, 17 September 2027", today=TODAY) == date(2027, 9, 17)


def test_a_renewal_of_thousands_of_digits_is_no_excel_serial() -> None:
    assert excel_date("9" * 60_000) is None
    assert excel_date("46082") == date(2026, 3, 1)


def test_a_stack_cell_past_its_cap_is_refused_before_it_is_parsed() -> None:
    data = b"name,capabilities\nvLLM," + b"e" * (limits.STACK_MAX_CELL + 1) + b"\n"
    with pytest.raises(Rejected) as refused:
        list(stackfile.records(io.BytesIO(data)))
    assert (refused.value.code, refused.value.details) == (
        "cell_too_long", {"line": 2, "limit": limits.STACK_MAX_CELL},
    )  # fmt: skip


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("pattern", ["e", "[", ";", "1 ", "e,", "llm-serving;", "tr ", "-"])
def test_no_stack_cell_at_its_cap_takes_more_than_a_few_milliseconds(
    column: str, pattern: str
) -> None:
    cell = (pattern * limits.STACK_MAX_CELL)[: limits.STACK_MAX_CELL].strip() or "x"
    cells = {"name": "vLLM", "currency": "USD", column: cell}
    took = timed(lambda: parse_row(2, cells, today=TODAY, lookup=lambda email: None))
    assert took < 0.05, f"{column} of {pattern!r}: {took * 1000:.0f} ms"


def test_the_csv_field_limit_is_the_cell_cap() -> None:
    assert tabular.MAX_CELL == limits.MAX_CELL
