"""Parse a /stack command, do it in one transaction, and say what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core import grammar
from core.errors import Rejected
from core.options import ToolFields, UserRef
from db.engine import session_scope
from db.models import Workspace
from db.tools import ensure_workspace, get_workspace
from stack import admins, findings, proposals, reviews, settings, tools
from stack.base import Context, Reply, refusal

Handler = Callable[[Session, Workspace, Context, Any], Reply]
# Called once with the reply, in the command's own transaction when it writes (so marking a
# recorded command done commits with its changes, or not at all); it may raise to roll back.
Finish = Callable[[Session, Reply], None]

READ_ONLY = (
    grammar.List, grammar.Show, grammar.Map, grammar.History, grammar.Help, grammar.Overlaps,
    grammar.Spend, grammar.Reviews, grammar.Status,
)  # fmt: skip

HANDLERS: dict[type, Handler] = {
    grammar.Add: tools.add,
    grammar.Edit: tools.edit,
    grammar.Remove: tools.remove,
    grammar.List: tools.list_tools,
    grammar.Show: tools.show,
    grammar.Map: tools.show_map,
    grammar.History: tools.history,
    grammar.Help: tools.help_,
    grammar.Overlaps: findings.overlaps,
    grammar.AcceptFinding: findings.accept,
    grammar.ReopenFinding: findings.reopen,
    grammar.Spend: findings.spend,
    grammar.Settings: settings.settings,
    grammar.Admins: admins.admins,
    grammar.Review: reviews.review,
    grammar.Reviews: reviews.reviews,
    grammar.Status: reviews.status,
    grammar.Propose: proposals.propose,
    grammar.Proposals: proposals.proposals,
}


def run_command(
    engine: Engine, context: Context, text: str, *, finish: Finish | None = None
) -> Reply:
    """Run the `/stack` command `text`. A refusal changes nothing and says what would work.

    A leading "/stack" is ignored, so a command pasted whole into the terminal works too.
    """
    try:
        command = grammar.parse(_without_prefix(text), today=context.now.date())
    except Rejected as rejected:
        if rejected.code == "missing_decision":
            rejected = reviews.missing_decision(str(rejected.details.get("value") or ""))
        if rejected.code == "unknown_decision":
            rejected = _missing_tool_too(engine, context, rejected)
        return _finished(engine, refusal(rejected), finish)
    context = replace(context, text=_without_prefix(text).strip())
    return run_parsed(engine, context, command, finish=finish)


def writes(command: grammar.Command) -> bool:
    """Whether `command` may change the store (a refusal it audits counts as a change)."""
    if isinstance(command, grammar.Settings):
        return command.name is not None
    if isinstance(command, grammar.Admins):
        return command.action is not None
    if isinstance(command, grammar.Proposals):
        return command.action is not None
    return not isinstance(command, READ_ONLY)


def is_new(engine: Engine, team_id: str) -> bool:
    """Whether the workspace has no row yet (its first command creates it: a write)."""
    with session_scope(engine, write=False) as session:
        return get_workspace(session=session, team_id=team_id) is None


def run_parsed(
    engine: Engine, context: Context, command: grammar.Command, *, finish: Finish | None = None
) -> Reply:
    """Do `command` in one transaction; a refusal rolls it back and says what would work."""
    write = writes(command) or is_new(engine, context.team_id)  # creating one is a write
    try:
        with session_scope(engine, write=write) as session:
            workspace = ensure_workspace(
                session=session, team_id=context.team_id, now=context.now, zone=context.zone
            )
            reply = HANDLERS[type(command)](session, workspace, context, command)
            if write and finish is not None:
                finish(session, reply)
                return reply
    except Rejected as rejected:
        reply = refusal(rejected)
    return _finished(engine, reply, finish)


def people_named(text: str, *, today: date) -> list[str]:
    """The Slack ids the command `text` names as owner or backup owner: what the caller asks
    Slack about before running it (nothing, when the command does not parse)."""
    try:
        command = grammar.parse(_without_prefix(text), today=today)
    except Rejected:
        return []
    fields = getattr(command, "fields", None)
    if not isinstance(fields, ToolFields):
        return []
    return [ref.id for ref in (fields.owner, fields.backup) if isinstance(ref, UserRef)]


def _missing_tool_too(engine: Engine, context: Context, rejected: Rejected) -> Rejected:
    """A review whose decision word was not understood says what else is wrong: the tool too,
    when the workspace has none by that name."""
    name = rejected.details.get("name")
    if not isinstance(name, str):
        return rejected
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=context.team_id)
        try:
            if workspace is None:
                raise Rejected("no_such_tool", value=name)
            tools.find_tool(session, workspace, name)
        except Rejected as missing:
            details = {**rejected.details, "missing_tool": True}
            details["tool_suggestion"] = missing.details.get("suggestion")
            return Rejected("unknown_decision", **details)
    return rejected


def _without_prefix(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("/stack") and stripped[6:7] in ("", " ", "\t", "\n"):
        return stripped[6:]
    return text


def _finished(engine: Engine, reply: Reply, finish: Finish | None) -> Reply:
    """`finish` for a command that wrote nothing (or was refused and rolled back)."""
    if finish is not None:
        with session_scope(engine) as session:
            finish(session, reply)
    return reply
