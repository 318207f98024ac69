"""Hostile files against core/'s readers: `uv run python -m bench.hostile [--quick]`.

Each file is read in a fresh child process by the code an import uses (`core.stackfile.records`
and `core.importing.parse_row` for a stack, `core.billing.csv_charges` and `add_charge` for a
bill), and timed to its result or refusal; the child's peak resident memory (ru_maxrss) is its
own. The files are built here, most of them as gzip streams made of one compressed block
repeated (a full flush resets the compressor, so every block compresses alike).

1. A 2 MB gzip bill that expands to 2 GiB on one line. Goal: refused within a second.
2. A gzip bill of 200 MB of blank lines. Goal: refused within a second.
3. A gzip bill of 200 MB of rows of empty cells (`,` lines).
3a. A Parquet bill of 200,000 rows whose ServiceName is one 100,000-character value (a few KB
   stored, 19 GiB decoded row by row).
4. The billion-laughs YAML (tests/samples/billion_laughs.yaml).
5. Stack files of STACK_MAX_BYTES: JSON `[[[…`, JSON `[1,1,…]`, YAML `- a` lines.
6. Stack files of STACK_MAX_ROWS tools as CSV, JSON and Backstage YAML, read and checked.
7. The slowest stack file found: STACK_MAX_BYTES of rows whose capabilities cell is
   STACK_MAX_CELL characters of `llm-serving;`.

`--quick` leaves out 3 and 7 (the slow ones). It fails (exit 1) if the gzip bomb, the blank
lines or the billion laughs took more than 5 s to refuse: the goal is 1 s, on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from core import billing, limits, stackfile
from core.catalog import load_catalog
from core.errors import Rejected
from core.importing import parse_row

TODAY = date(2026, 11, 28)
HEADER = b"BilledCost,BillingCurrency,ChargePeriodStart,ServiceName,ServiceCategory\n"
ROW = b"12.5,USD,2026-10-01T00:00:00Z,Amazon Bedrock,AI and Machine Learning\n"
SAMPLES = Path(__file__).parents[1] / "tests" / "samples"
TRIPWIRE = 5.0  # seconds, for the gzip bomb, the blank lines and the billion laughs


def repeated_gzip(path: Path, head: bytes, chunk: bytes, times: int) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = zlib.crc32(head)
    with path.open("wb") as out:
        out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
        out.write(compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH))
        block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        for _ in range(times):
            out.write(block)
            crc = zlib.crc32(chunk, crc)
        out.write(compressor.flush())
        out.write(struct.pack("<II", crc, (len(head) + len(chunk) * times) & 0xFFFFFFFF))


def read_bill(path: Path) -> str:
    matcher = billing.Matcher([], load_catalog())
    bill = billing.Bill()
    with path.open("rb") as binary:
        gzipped = binary.read(2) == b"\x1f\x8b"
        binary.seek(0)
        for line, cells, _ in billing.csv_charges(binary, gzipped=gzipped):
            billing.add_charge(bill, matcher, line, cells, today=TODAY)
    return f"{bill.rows:,} rows"


def read_parquet(path: Path) -> str:
    from core import parquet  # pyarrow, the `parquet` extra

    matcher = billing.Matcher([], load_catalog())
    bill = billing.Bill()
    with path.open("rb") as binary:
        for line, cells, _ in parquet.charges(binary):
            billing.add_charge(bill, matcher, line, cells, today=TODAY)
    return f"{bill.rows:,} rows"


def parquet_bomb(path: Path, rows: int) -> None:
    """Every row's ServiceName the same 100,000 characters: 19 GiB decoded, kilobytes stored."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def same(value: str) -> object:
        return pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array([value]))

    table = pa.table(
        {
            "BilledCost": same("1"), "BillingCurrency": same("USD"),
            "ChargePeriodStart": same("2026-10-01"), "ServiceCategory": same("Compute"),
            "ServiceName": same("x" * limits.MAX_CELL),
        }
    )  # fmt: skip
    pq.write_table(table, path, compression="zstd")


def read_stack(path: Path) -> str:
    rows = problems = 0
    with path.open("rb") as binary:
        for line, cells in stackfile.records(binary):
            parsed = parse_row(line, cells, today=TODAY, lookup=lambda email: None)
            rows += 1
            problems += isinstance(parsed, list)
    return f"{rows:,} rows, {problems:,} with problems"


def _child(
    read: Callable[[Path], str], path: Path, results: multiprocessing.Queue[tuple[float, str]]
) -> None:
    began = time.perf_counter()
    try:
        outcome = read(path)
    except Rejected as rejected:
        outcome = f"refused: {rejected.code} {rejected.details}"
    took = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((took, f"{took:8.2f} s {peak:7.0f} MB  {outcome}"))


def measure(name: str, read: Callable[[Path], str], path: Path) -> float:
    """Seconds the read took; its line is printed."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[tuple[float, str]] = context.Queue()
    child = context.Process(target=_child, args=(read, path, results))
    child.start()
    took, line = results.get()
    child.join()
    size = path.stat().st_size / 2**20
    print(f"{name:<34} {size:8.1f} MB file {line}", flush=True)
    return took


def stack_rows(count: int) -> list[dict[str, str]]:
    return [
        {"name": f"tool-{n}", "layers": "inference", "cost": "120", "currency": "USD",
         "period": "month", "renews": "2027-03-01" if n % 2 else "", "notes": "kept"}
        for n in range(count)
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print("case                               file size      time  peak RSS  outcome")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        bomb = folder / "one-line.csv.gz"
        repeated_gzip(bomb, HEADER + b"1,USD,", b"a" * 2**20, 2048)
        quick = [measure("2 GiB on one line, gzipped", read_bill, bomb)]
        blank = folder / "blank.csv.gz"
        repeated_gzip(blank, HEADER + ROW, b"\n" * 2**20, 200)
        quick.append(measure("200 MB of blank lines, gzipped", read_bill, blank))
        if not args.quick:
            empty = folder / "empty-cells.csv.gz"
            repeated_gzip(empty, HEADER + ROW, b",\n" * 2**19, 200)
            measure("200 MB of empty rows, gzipped", read_bill, empty)
        bomb_parquet = folder / "bomb.parquet"
        parquet_bomb(bomb_parquet, 200_000)
        measure("Parquet, 19 GiB of one value", read_parquet, bomb_parquet)
        quick.append(measure("billion laughs YAML", read_stack, SAMPLES / "billion_laughs.yaml"))
        deep = folder / "deep.json"
        deep.write_bytes(b"[" * limits.STACK_MAX_BYTES)
        measure("JSON of STACK_MAX_BYTES of [", read_stack, deep)
        flat_json = folder / "flat.json"
        flat_json.write_bytes(b"[" + b"1," * (limits.STACK_MAX_BYTES // 2 - 2) + b"1]")
        measure("JSON of STACK_MAX_BYTES of 1,", read_stack, flat_json)
        flat_yaml = folder / "flat.yaml"
        flat_yaml.write_bytes(b"---\n" + b"- a\n" * (limits.STACK_MAX_BYTES // 4 - 1))
        measure("YAML of STACK_MAX_BYTES of - a", read_stack, flat_yaml)
        rows = stack_rows(limits.STACK_MAX_ROWS)
        as_csv = folder / "stack.csv"
        as_csv.write_text(
            ",".join(rows[0]) + "\n" + "".join(",".join(r.values()) + "\n" for r in rows)
        )
        measure(f"stack CSV, {len(rows):,} tools", read_stack, as_csv)
        as_json = folder / "stack.json"
        as_json.write_text(json.dumps(rows))
        measure(f"stack JSON, {len(rows):,} tools", read_stack, as_json)
        as_yaml = folder / "stack.yaml"
        as_yaml.write_text(
            "".join(
                f"---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
                f"  name: {r['name']}\n  annotations:\n    stackbot/layers: inference\n"
                f'    stackbot/cost: "120"\n  tags: [inference]\nspec:\n  type: x\n'
                for r in rows
            )
        )
        measure(f"stack YAML, {len(rows):,} tools", read_stack, as_yaml)
        if not args.quick:
            slow = folder / "slow.csv"
            cell = ("llm-serving;" * limits.STACK_MAX_CELL)[: limits.STACK_MAX_CELL]
            line = f"tool,{cell}\n"
            count = min(limits.STACK_MAX_ROWS, limits.STACK_MAX_BYTES // len(line) - 1)
            slow.write_text("name,capabilities\n" + line * count)
            measure(f"capabilities cells at the cap, {count:,}", read_stack, slow)
    # The goal is a refusal within a second; a shared CI machine gets five.
    if max(quick) > TRIPWIRE:
        print(f"bench.hostile: a refusal took {max(quick):.1f} s, past {TRIPWIRE:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
