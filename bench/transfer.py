"""Importing big files: `uv run python -m bench.transfer [--quick] [--readers]`.

1. A stack spreadsheet of 10,000 tools (unique names, a layer or capabilities each, costs in
   USD and EUR, half with a renewal date) imported into an empty SQLite workspace, then the
   same file again (every row matched, nothing changed). Goal: the first import under 10 s.
2. A FOCUS bill of 1,000,000 rows (AWS-shaped: 18 columns; Bedrock, SageMaker, EC2 and S3;
   one month, hourly timestamps; tags on every row) read by `stackbot import-billing`'s code
   against a stack of 4 tools, one with a tag rule. Goal: under 60 s and under 300 MB peak.
   Each import runs in a fresh child process, so its peak resident memory (ru_maxrss) is its
   own, not the generator's.
3. `--readers`: the same bill read by the standard csv module and by pyarrow's streaming CSV
   reader, doing the same per-row sum, to choose the reader by measurement.

`--quick` (CI): 1,000 tools and 50,000 bill rows; it fails only if a figure is past ten times
its share of the goal, since CI machines are shared.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.importing import COLUMNS
from db import open_store
from stack import Context, run_command
from stack.billing import import_billing
from stack.transfer import import_stack

TEAM = "TBENCH"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SERVICES = (
    ("Amazon Bedrock", "AI and Machine Learning"),
    ("Amazon SageMaker", "AI and Machine Learning"),
    ("Amazon Elastic Compute Cloud", "Compute"),
    ("Amazon Simple Storage Service", "Storage"),
)
FOCUS_COLUMNS = (
    "BilledCost", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory",
    "ProviderName", "PublisherName", "ServiceName", "ServiceCategory", "ServiceSubcategory",
    "ResourceName", "Tags", "BillingAccountId", "RegionId", "EffectiveCost", "ListCost", "SkuId",
    "ConsumedQuantity",
)  # fmt: skip


def write_stack(path: Path, rows: int) -> None:
    chance = random.Random(11)
    layers = ("inference", "training", "data", "mlops", "observability", "governance")
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        for n in range(rows):
            cost = chance.randrange(100, 20_000)
            writer.writerow(
                {
                    "name": f"Internal tool {n:05d}",
                    "layers": chance.choice(layers),
                    "cost": str(cost),
                    "currency": "USD" if n % 4 else "EUR",
                    "period": "month" if n % 3 else "year",
                    "renews": f"2027-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 2 else "",
                    "notice": "30" if n % 2 else "",
                    "notes": f"row {n}",
                    "owner": f"U{n % 50:04d}AB",
                }
            )


def write_focus(path: Path, rows: int) -> None:
    chance = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(FOCUS_COLUMNS)
        for n in range(rows):
            service, category = SERVICES[n % len(SERVICES)]
            day, hour = 1 + (n // 24) % 31, n % 24
            start = f"2026-10-{day:02d}T{hour:02d}:00:00Z"
            end = f"2026-10-{day:02d}T{hour:02d}:59:59Z"
            team = "search" if n % 3 else "ml"
            writer.writerow(
                [
                    f"{chance.random() * 10:.6f}", "USD", start, end, "Usage", "AWS", "AWS",
                    service, category, "Generative AI", f"res-{n % 500}",
                    json.dumps({"user:team": team, "env": "prod"}), "123456789012",
                    "us-east-1", "1.0", "1.2", "SKU123", "3.5",
                ]
            )  # fmt: skip


def _child(job: str, path: str, database: str, queue: Any) -> None:
    engine = open_store(database)
    context = Context(team_id=TEAM, user_id="UBENCH", now=NOW)
    started = time.perf_counter()
    with open(path, "rb") as binary:
        if job == "stack":
            report: Any = import_stack(
                engine, context, binary, dry_run=False, lookup=lambda e: None
            )
            outcome = f"{len(report.added)} added, {len(report.unchanged)} unchanged"
            ok = not report.problems
        else:
            report = import_billing(engine, context, binary, dry_run=False)
            outcome = f"{report.bill.rows:,} rows, {len(report.bill.totals)} totals"
            ok = not report.bill.problem_count
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, peak, outcome, ok))


def in_child(job: str, path: Path, database: str) -> tuple[float, float, str, bool]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(job, str(path), database, queue))
    process.start()
    result: tuple[float, float, str, bool] = queue.get()
    process.join()
    return result


def seed_bill_tools(database: str) -> None:
    engine = open_store(database)
    context = Context(team_id=TEAM, user_id="UBENCH", now=NOW)
    for command in (
        "/stack add SageMaker cost:20000/mo",
        '/stack add "ML team GPUs" compute billing:"user:team=ml"',
        "/stack add EC2",
        "/stack add Pinecone",
    ):
        assert run_command(engine, context, command).ok, command
    engine.dispose()


def readers(path: Path) -> None:
    """The csv module against pyarrow's streaming reader, on the same file and the same sum."""

    def with_csv() -> int:
        totals: dict[tuple[str, str, str], Decimal] = {}
        with path.open(newline="") as file:
            reader = csv.reader(file)
            index = {name: i for i, name in enumerate(next(reader))}
            b, c, s, v = (index[k] for k in (*FOCUS_COLUMNS[:3], "ServiceName"))
            for row in reader:
                key = (row[v], row[c], row[s][:7])
                totals[key] = totals.get(key, Decimal(0)) + Decimal(row[b])
        return len(totals)

    def with_pyarrow() -> int:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = ["BilledCost", "BillingCurrency", "ChargePeriodStart", "ServiceName"]
        options = pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), include_columns=names
        )
        totals: dict[tuple[str, str, str], Decimal] = {}
        for batch in pacsv.open_csv(path, convert_options=options):
            columns = [batch.column(i).to_pylist() for i in range(4)]
            for cost, currency, start, service in zip(*columns, strict=True):
                key = (service, currency, start[:7])
                totals[key] = totals.get(key, Decimal(0)) + Decimal(cost)
        return len(totals)

    for name, reader in (("csv module", with_csv), ("pyarrow open_csv", with_pyarrow)):
        seconds, peak = _measured(reader)
        print(f"  reader {name:18} {seconds:6.2f} s  peak {peak:6.0f} MB")


def _measured(job: Callable[[], int]) -> tuple[float, float]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def run() -> None:
        started = time.perf_counter()
        job()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put((time.perf_counter() - started, peak))

    process = context.Process(target=run)
    process.start()
    result: tuple[float, float] = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI sizes, loose tripwires")
    parser.add_argument("--readers", action="store_true", help="also time csv against pyarrow")
    args = parser.parse_args(argv)
    tools, bill_rows = (1_000, 50_000) if args.quick else (10_000, 1_000_000)
    # The goals, scaled to the run's size; --quick trips only at ten times that.
    slack = 10 if args.quick else 1
    stack_goal = 10.0 * tools / 10_000 * slack
    bill_goal, memory_goal = 60.0 * bill_rows / 1_000_000 * slack, 300.0
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        stack_file, bill_file = base / "stack.csv", base / "focus.csv"
        write_stack(stack_file, tools)
        write_focus(bill_file, bill_rows)
        size = bill_file.stat().st_size / 1e6
        print(f"stack file: {tools:,} rows; bill: {bill_rows:,} rows, {size:,.0f} MB")
        database = f"sqlite:///{base}/stack.db"
        open_store(database).dispose()  # migrated once, outside the timings
        for label in ("first import", "again, unchanged"):
            seconds, peak, outcome, ok = in_child("stack", stack_file, database)
            print(f"  stack {label:17} {seconds:6.2f} s  peak {peak:6.0f} MB  {outcome}")
            failed |= not ok or (label == "first import" and seconds > stack_goal)
        seed_bill_tools(database)
        seconds, peak, outcome, ok = in_child("bill", bill_file, database)
        print(f"  bill  import-billing     {seconds:6.2f} s  peak {peak:6.0f} MB  {outcome}")
        failed |= not ok or seconds > bill_goal or peak > memory_goal
        if args.readers:
            readers(bill_file)
    goals = f"stack < {stack_goal:.0f} s, bill < {bill_goal:.0f} s and < {memory_goal:.0f} MB"
    print(f"{'FAILED' if failed else 'ok'}: {goals}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
