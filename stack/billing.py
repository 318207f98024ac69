"""`stackbot import-billing`: a FOCUS export read in one pass, in bounded memory, and stored as
actual spend per tool, month and currency; unclaimed AI and ML spend is reported with the
command that would register it.

The reader is the standard csv module, row by row (bench/README.md: for a 1,000,000-row file
it was within a second of pyarrow's streaming reader and used a quarter of its memory);
Parquet, which only pyarrow reads, is streamed in record batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import Engine

from core import billing, parquet
from core.catalog import load_catalog
from core.errors import Rejected
from core.importing import Problem
from core.tabular import sniff
from db import tools as store
from db.engine import session_scope
from db.spend import SpendRow, replace_months
from stack import Context
from stack.overspend import queue_overspend
from stack.reports import worded
from stack.seen import SeenRows
from templates.render import Message, render

Rows = Iterator[tuple[int, dict[str, str], str]]  # line, the cells kept, the whole row


@dataclass(frozen=True, slots=True)
class Line:
    """One total as the report shows it."""

    name: str
    currency: str
    amount: Decimal
    month: date
    command: str | None = None  # for unclaimed spend: the /stack add that would register it


@dataclass
class BillingReport:
    bill: billing.Bill
    dry_run: bool
    matched: list[Line] = field(default_factory=list)
    unclaimed: list[Line] = field(default_factory=list)
    replaced: int = 0
    alerts: int = 0  # overspend alerts queued for the clock's next pass (stack.overspend)

    @property
    def applied(self) -> bool:
        return not self.bill.problem_count and not self.dry_run


class _Undo(Exception):
    """Rolls back a dry run, or a file with problems."""


def import_billing(
    engine: Engine, context: Context, binary: IO[bytes] | Sequence[IO[bytes]], *, dry_run: bool,
    progress: Callable[[int], None] = lambda n: None,
) -> BillingReport:  # fmt: skip
    """Read and check the whole file with no lock held, then store its months in one short
    transaction (or, on a dry run or any bad row, store nothing): a bill of a million rows never
    keeps a command waiting for SQLite's write lock while it is read.

    Several files (the parts an AWS export's manifest lists) are read as one bill: their months
    replace what was stored once, and a row repeated across parts is refused as a duplicate."""
    sources = [binary] if not isinstance(binary, Sequence) else list(binary)
    return import_charges(
        engine, context, _focus_sources(sources), dry_run=dry_run, progress=progress
    )


def _focus_sources(sources: Sequence[IO[bytes]]) -> Rows:
    for binary in sources:
        yield from focus_rows(binary)


def import_charges(
    engine: Engine, context: Context, rows: Iterable[tuple[int, dict[str, str], str]], *,
    dry_run: bool, progress: Callable[[int], None] = lambda n: None,
    action: str = "import-billing", empty_ok: bool = False,
) -> BillingReport:  # fmt: skip
    """Check, match and store charges as FOCUS cells: a bill's rows, or a provider cost API's
    results (stack.costs). The months they cover replace what was stored for their provider.
    `empty_ok`: no charges at all is an answer (a provider with no costs), not an empty file."""
    bill = billing.Bill()
    report = BillingReport(bill=bill, dry_run=dry_run)
    with session_scope(engine, write=False) as session:
        workspace = store.get_workspace(session=session, team_id=context.team_id)
        tools = (
            store.list_tools(session=session, workspace_id=workspace.id or 0) if workspace else []
        )
    matcher = billing.Matcher(
        [billing.Billable(t.id or 0, t.name_key, t.catalog_key, t.billing_match) for t in tools],
        load_catalog(),
    )
    _read(rows, bill, matcher, context.now.date(), progress)
    if not bill.rows and not bill.problem_count and not empty_ok:
        bill.problem(Problem(0, None, "empty_file"))
    _describe(report, {t.id: t.name for t in tools}, matcher)
    if bill.problem_count or not bill.rows:
        return report  # a provider with no costs changes nothing, not even the history
    try:
        with session_scope(engine) as session:
            workspace = store.ensure_workspace(
                session=session, team_id=context.team_id, now=context.now, zone=context.zone
            )
            assert workspace.id is not None
            report.replaced = replace_months(
                session=session, workspace_id=workspace.id, months=bill.months,
                rows=_rows(bill), actor=context.user_id, now=context.now,
            )  # fmt: skip
            store.record_event(
                session=session, workspace_id=workspace.id, actor=context.user_id,
                action=action, now=context.now, after=_summary(bill),
            )  # fmt: skip
            if dry_run:
                raise _Undo  # rolled back: a dry run says what it would replace, and stores nothing
    except _Undo:
        return report
    months = [month for provider_months in bill.months.values() for month in provider_months]
    report.alerts = queue_overspend(engine, context.team_id, months, now=context.now)
    return report


def _read(
    rows: Iterable[tuple[int, dict[str, str], str]], bill: billing.Bill,
    matcher: billing.Matcher, today: date, progress: Callable[[int], None],
) -> None:  # fmt: skip
    with SeenRows() as seen:
        try:
            for line, cells, raw in rows:
                first = seen.first(raw, line)
                if first is not None:
                    bill.rows += 1
                    bill.problem(Problem(line, None, "duplicate_charge", {"first": first}))
                else:
                    billing.add_charge(bill, matcher, line, cells, today=today)
                progress(1)
        except Rejected as rejected:
            bill.problem(Problem.of(rejected, line=0))


def focus_rows(binary: IO[bytes]) -> Rows:
    """(line, cells) per charge, from CSV, gzipped CSV or Parquet, never all in memory and
    within the bounds of core/limits.py. `binary` must be seekable (a file, or Slack's bytes)."""
    kind = sniff(binary.read(4096))
    binary.seek(0)
    if kind == "parquet":
        yield from parquet.charges(binary)
    elif kind in ("csv", "gzip"):
        yield from billing.csv_charges(binary, gzipped=kind == "gzip")
    else:
        raise Rejected("wrong_format", kind=kind, billing=True)


def _rows(bill: billing.Bill) -> list[SpendRow]:
    return [
        SpendRow(
            provider=provider,
            month=month,
            currency=currency,
            match_key=match_key,
            tool_id=total.tool_id,
            service=total.service,
            category=total.category,
            amount_cents=billing.cents(total.amount),
            rows=total.rows,
            effective_cents=(
                billing.cents(total.effective) if total.effective_rows == total.rows else None
            ),
        )
        for (provider, month, currency, match_key), total in bill.totals.items()
    ]


def _summary(bill: billing.Bill) -> dict[str, Any]:
    months = sorted({m.isoformat()[:7] for ms in bill.months.values() for m in ms})
    return {"provider": ", ".join(p for p in bill.months if p), "months": months, "rows": bill.rows}


def _describe(
    report: BillingReport, names: dict[int | None, str], matcher: billing.Matcher
) -> None:
    """The matched and unclaimed totals, summed over providers, dearest first."""
    matched: dict[tuple[str, str, date], Decimal] = {}
    unclaimed: dict[tuple[str, str, date], Decimal] = {}
    for (_, month, currency, _), total in report.bill.totals.items():
        if total.tool_id is not None:
            key = (names.get(total.tool_id, "?"), currency, month)
            matched[key] = matched.get(key, Decimal(0)) + total.amount
        else:
            key = (total.service, currency, month)
            unclaimed[key] = unclaimed.get(key, Decimal(0)) + total.amount
    report.matched = [Line(n, c, _cents(a), m) for (n, c, m), a in matched.items()]
    report.unclaimed = [
        Line(s, c, _cents(a), m, command=billing.add_command(s, matcher.catalog_name(s)))
        for (s, c, m), a in unclaimed.items()
    ]
    for lines in (report.matched, report.unclaimed):
        lines.sort(key=lambda line: (line.month, -line.amount, line.name.casefold()))


def billing_message(report: BillingReport, *, source: str, shown: int = 20) -> Message:
    return render(
        "billing_report",
        report=report,
        problems=[worded(p) for p in report.bill.problems[:shown]],
        count=report.bill.problem_count,
        source=source,
        matched=report.matched[:15],
        unclaimed=report.unclaimed[:10],
    )


def _cents(amount: Decimal) -> Decimal:
    return Decimal(billing.cents(amount)) / 100
