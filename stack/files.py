"""`/stack export` and `/stack import` in Slack, apart from the Slack calls themselves: what
file to send, whether the person may import, and the preview and result of an import."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from core.errors import Rejected
from core.importing import Lookup
from core.text import nearest
from db.engine import session_scope
from db.tools import ensure_workspace
from stack.base import Context, Reply, is_admin, refuse
from stack.reports import import_message
from stack.transfer import FORMATS, export_rows, export_text, import_stack
from templates.render import Message, render

MAX_FILE = 5_000_000  # bytes; a bigger stack is imported from the terminal
SUFFIX = {"csv": "csv", "json": "json", "backstage": "yaml"}


@dataclass(frozen=True, slots=True)
class Transfer:
    verb: str  # "export" or "import"
    fmt: str


def parse_transfer(text: str) -> Transfer | None:
    """`export [csv|json|backstage]` or `import`; None for any other /stack command. A wrong
    format is refused with the nearest one."""
    words = text.split()
    if not words or words[0].casefold() not in ("export", "import"):
        return None
    verb = words[0].casefold()
    fmt = words[1].casefold() if len(words) > 1 else "csv"
    if verb == "import" or fmt in FORMATS:
        return Transfer(verb, fmt)
    raise Rejected("unknown_export_format", value=words[1], suggestion=nearest(fmt, FORMATS))


def export_file(engine: Engine, context: Context, fmt: str, today: date) -> tuple[str, str, int]:
    """The file name, content and tool count of the team's stack in `fmt` (an empty stack's
    CSV is its header, so the file shows what to fill in)."""
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
        )
        rows = export_rows(session, workspace)
    return f"stack-{today.isoformat()}.{SUFFIX[fmt]}", export_text(rows, fmt), len(rows)


def may_import(engine: Engine, context: Context) -> Reply | None:
    """None when the person may import; else a refusal (and the attempt is recorded). An
    import changes tools others own, so it is for stack admins, as changing any tool is."""
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
        )
        if is_admin(session, workspace, context):
            return None
        return refuse(session, workspace, context, "admins_only", what="import a stack")


def import_file(
    engine: Engine, context: Context, data: bytes, *, name: str, dry_run: bool, lookup: Lookup,
    file_id: str,
) -> Message:  # fmt: skip
    """A dry run's preview (with the button that applies it, when there is anything to apply),
    or the import's result."""
    report = import_stack(engine, context, io.BytesIO(data), dry_run=dry_run, lookup=lookup)
    message = import_message(report, source=name, actor=None if dry_run else context.user_id)
    if dry_run and not report.problems and (report.added or report.changed):
        message["blocks"].extend(render("import_apply", file_id=file_id)["blocks"])
    return message


def file_refusal(code: str, **details: object) -> Message:
    return render("transfer_error", code=code, **details)
