"""A Parquet bill is read like the same bill in CSV, in small batches: a file that compresses
gigabytes of one repeated value into kilobytes is read in little memory or refused."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import billing, parquet
from core.errors import Rejected
from core.limits import MAX_CELL

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pa_csv = pytest.importorskip("pyarrow.csv")

SAMPLES = Path(__file__).parents[1] / "samples"


def as_parquet(table: object, **options: object) -> io.BytesIO:
    out = io.BytesIO()
    pq.write_table(table, out, **options)
    out.seek(0)
    return out


def charges_table(rows: int, service: object) -> Any:
    return pa.table(
        {
            "BilledCost": pa.array(["1"] * rows),
            "BillingCurrency": pa.array(["USD"] * rows),
            "ChargePeriodStart": pa.array(["2026-10-01"] * rows),
            "ServiceCategory": pa.array(["AI and Machine Learning"] * rows),
            "ServiceName": service,
        }
    )


def repeated(value: str, rows: int) -> Any:
    """A column of one value, stored once: what a Parquet writer makes of repetition."""
    return pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array([value]))


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("focus_*.csv")), ids=lambda p: p.stem)
def test_a_parquet_bill_gives_the_cells_the_same_csv_bill_gives(sample: Path) -> None:
    data = sample.read_bytes()
    names = data.split(b"\n", 1)[0].decode().split(",")
    as_text = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    table = pa_csv.read_csv(io.BytesIO(data), convert_options=as_text)
    from_csv = [
        (line, cells) for line, cells, _ in billing.csv_charges(io.BytesIO(data), gzipped=False)
    ]
    from_parquet = [(line, cells) for line, cells, _ in parquet.charges(as_parquet(table))]
    assert from_parquet == from_csv
    assert from_csv


def test_a_value_repeated_on_every_row_is_decoded_once() -> None:
    # 20,000 rows of the same 100,000 characters: 2 GB were each row decoded, 100 KB here.
    data = as_parquet(charges_table(20_000, repeated("x" * MAX_CELL, 20_000)), compression="zstd")
    assert len(data.getvalue()) < 10_000
    rows = parquet.charges(data)
    first = next(rows)
    assert first[1]["ServiceName"] == "x" * MAX_CELL
    assert pa.total_allocated_bytes() < 16 * 2**20  # one batch, its value stored once
    assert sum(1 for _ in rows) == 19_999


def test_a_value_longer_than_a_cell_is_refused() -> None:
    data = as_parquet(charges_table(10, repeated("x" * (MAX_CELL + 1), 10)))
    with pytest.raises(Rejected) as refused:
        list(parquet.charges(data))
    assert refused.value.code == "cell_too_long"


def test_a_row_group_declared_bigger_than_the_cap_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parquet, "PARQUET_MAX_ROW_GROUP_BYTES", 2**20)
    data = as_parquet(charges_table(20, pa.array(["y" * 100_000] * 20)), use_dictionary=False)
    with pytest.raises(Rejected) as refused:
        next(parquet.charges(data))
    assert (refused.value.code, refused.value.details["value"]) == ("parquet_group_too_big", 1)


def test_more_rows_than_the_cap_are_refused_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parquet, "BILL_MAX_LINES", 10)
    with pytest.raises(Rejected) as refused:
        next(parquet.charges(as_parquet(charges_table(11, pa.array(["Bedrock"] * 11)))))
    assert refused.value.code == "too_many_lines"


@pytest.mark.parametrize("cut", [100, 600, -12])
def test_a_damaged_parquet_file_is_refused_as_damaged(cut: int) -> None:
    whole = as_parquet(charges_table(500, pa.array([f"s{n}" for n in range(500)]))).getvalue()
    damaged = whole[:cut] + bytes(20) + whole[cut + 20 :] if cut > 0 else whole[:cut]
    with pytest.raises(Rejected) as refused:
        list(parquet.charges(io.BytesIO(damaged)))
    assert refused.value.code in ("bad_parquet", "missing_columns")


def valid_bill() -> bytes:
    table = charges_table(300, pa.array([f"service {n % 7}" for n in range(300)]))
    return as_parquet(table.append_column("Tags", pa.array(['{"a": "b"}'] * 300))).getvalue()


VALID = valid_bill()


@settings(max_examples=100, deadline=2000)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8))
def test_any_damage_to_a_parquet_bill_ends_in_rows_or_a_refusal(
    damage: list[tuple[int, int]],
) -> None:
    data = bytearray(VALID)
    for position, byte in damage:
        data[position] = byte
    with contextlib.suppress(Rejected):
        for _ in parquet.charges(io.BytesIO(bytes(data))):
            pass
