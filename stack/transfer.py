"""Import a stack from a spreadsheet, a JSON export or Backstage YAML, and export it again.

An import is one transaction: every row is checked and applied, then committed only when no
row had a problem and it is not a dry run, so a file goes in whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import yaml
from sqlalchemy import Engine
from sqlmodel import Session

from core import backstage
from core.catalog import CatalogEntry, load_catalog
from core.cells import neutralise
from core.errors import Notice, Rejected
from core.importing import COLUMNS, Lookup, Problem, Row, duplicates, parse_row, tool_row
from core.reviews import next_review
from core.stackfile import records
from core.text import normalise
from db import tools as store
from db.engine import session_scope
from db.models import ACTIVE, Tool, Workspace
from stack.base import Context
from stack.tools import column_values

FORMATS = ("csv", "json", "backstage")
ACTION = "import"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What was read and acted on without refusing the file: a title row, ignored columns, a
    # TOTAL row, an owner left empty, a renewal date already past.
    notices: list[Notice] = field(default_factory=list)
    dry_run: bool = False

    @property
    def applied(self) -> bool:
        return not self.problems and not self.dry_run


class _Undo(Exception):
    """Raised inside the transaction to roll back a dry run or a file with problems."""


def import_stack(
    engine: Engine, context: Context, binary: IO[bytes], *, dry_run: bool, lookup: Lookup,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:  # fmt: skip
    """Check every row of the file and apply it; committed only when nothing was wrong and
    this is not a dry run."""
    report = ImportReport(dry_run=dry_run)
    rows = _read_rows(binary, context, report, lookup, progress)
    if report.problems:
        return report
    try:
        with session_scope(engine) as session:
            workspace = store.ensure_workspace(
                session=session, team_id=context.team_id, now=context.now, zone=context.zone
            )
            _apply(session, workspace, context, rows, report)
            if not report.applied:
                raise _Undo
    except _Undo:
        pass
    return report


def _read_rows(
    binary: IO[bytes], context: Context, report: ImportReport, lookup: Lookup,
    progress: Callable[[int], None],
) -> list[Row]:  # fmt: skip
    rows: list[Row] = []
    today = context.now.date()
    try:
        for line, cells in records(binary, report.notices):
            parsed = parse_row(line, cells, today=today, lookup=lookup, notices=report.notices)
            if isinstance(parsed, Row):
                rows.append(parsed)
            else:
                report.problems.extend(parsed)
            progress(1)
    except Rejected as rejected:
        report.problems.append(Problem.of(rejected, line=0))
        return rows
    if not rows and not report.problems:
        report.problems.append(Problem(0, None, "empty_file"))
    report.problems.extend(duplicates(rows, _identity))
    return rows


def _identity(row: Row) -> str:
    entry = load_catalog().find(row.name)
    return f"catalog:{entry.key}" if entry else normalise(row.name)


def _apply(
    session: Session, workspace: Workspace, context: Context, rows: list[Row], report: ImportReport
) -> None:
    assert workspace.id is not None
    known = store.list_tools(session=session, workspace_id=workspace.id, status=None)
    by_name = {tool.name_key: tool for tool in known}
    by_entry = {tool.catalog_key: tool for tool in known if tool.catalog_key}
    catalog = load_catalog()
    new: list[dict[str, Any]] = []
    for row in rows:
        entry = catalog.find(row.name)
        name = entry.name if entry else row.name
        existing = by_name.get(normalise(name)) or (by_entry.get(entry.key) if entry else None)
        try:
            if existing is None:
                new.append(_new_values(workspace, context, row, entry, name))
                continue
            changed = _update(session, workspace, context, row, existing)
        except Rejected as rejected:
            report.problems.append(Problem.of(rejected, line=row.line, column="layers"))
            continue
        if changed:
            report.changed.append((existing.name, changed))
        else:
            report.unchanged.append(existing.name)
    if new and not report.problems and not report.dry_run:  # a dry run builds no rows
        added = store.add_tools(
            session=session, workspace_id=workspace.id, rows=new, actor=context.user_id,
            now=context.now, action="import-add",
        )  # fmt: skip
        report.added.extend(tool.name for tool in added)
    elif new:
        report.added.extend(values["name"] for values in new)


def _new_values(
    workspace: Workspace, context: Context, row: Row, entry: CatalogEntry | None, name: str
) -> dict[str, Any]:
    values = column_values(row.fields, entry=entry, current=None)
    if entry is None and not values.get("layers"):
        hint = load_catalog().suggest(row.name)
        if hint is not None:
            raise Rejected("misspelt_tool", value=row.name, suggestion=hint.name)
        raise Rejected("import_needs_layer", value=row.name)
    values.update(name=name, name_key=normalise(name), catalog_key=entry.key if entry else None)
    values["next_review_on"] = next_review(
        since=context.today(workspace),
        renews_on=values.get("renews_on"),
        notice_days=values.get("notice_days"),
    )
    values["review_cycle_start"] = context.now
    return values


def _update(
    session: Session, workspace: Workspace, context: Context, row: Row, tool: Tool
) -> list[str]:
    assert workspace.id is not None
    values = column_values(row.fields, entry=None, current=tool)
    values.pop("name", None)  # a row names its tool; renaming is `/stack edit name:`
    if tool.status != ACTIVE:
        values.update(status=ACTIVE, retired_at=None)
    if {"renews_on", "notice_days"} & values.keys():
        values["next_review_on"] = next_review(
            since=tool.last_review_on or tool.added_at.date(),
            renews_on=values.get("renews_on", tool.renews_on),
            notice_days=values.get("notice_days", tool.notice_days),
        )
    changed = store.update_tool(
        session=session, workspace_id=workspace.id, tool=tool, values=values,
        actor=context.user_id, action=ACTION, now=context.now,
    )  # fmt: skip
    return [name for name in changed if name != "next_review_on"]


# ---------------------------------------------------------------------------------------------
# Export


def export_rows(session: Session, workspace: Workspace) -> list[dict[str, str]]:
    assert workspace.id is not None
    tools = store.list_tools(session=session, workspace_id=workspace.id)
    return [tool_row(store.snapshot(tool)) for tool in tools]


def export_text(rows: list[dict[str, str]], fmt: str) -> str:
    """The stack in `fmt`: CSV with the README's columns, JSON, or Backstage YAML."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "backstage":
        taken: set[str] = set()
        documents = [backstage.entity(row, taken=taken) for row in rows]
        return yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    # Safe to open in a spreadsheet: a cell that would run as a formula starts with an
    # apostrophe, which the importer (core.stackfile) takes off again.
    writer.writerows({column: neutralise(cell) for column, cell in row.items()} for row in rows)
    return out.getvalue()


def export_stack(engine: Engine, team_id: str, fmt: str) -> str | None:
    """The team's active tools as text, or None when there is no such workspace."""
    with session_scope(engine, write=False) as session:
        workspace = store.get_workspace(session=session, team_id=team_id)
        if workspace is None:
            return None
        return export_text(export_rows(session, workspace), fmt)
