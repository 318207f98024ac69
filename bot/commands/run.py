"""Parse a /stack command, do it in one transaction, and say what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.commands import admins, findings, proposals, reviews, settings, tools
from bot.commands.base import Context, Reply, refusal
from core import grammar
from core.errors import Rejected
from db.engine import session_scope
from db.models import Workspace
from db.tools import ensure_workspace, get_workspace

Handler = Callable[[Session, Workspace, Context, Any], Reply]

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


def run_command(engine: Engine, context: Context, text: str) -> Reply:
    """Run the `/stack` command `text`. A refusal changes nothing and says what would work.

    A leading "/stack" is ignored, so a command pasted whole into the terminal works too.
    """
    stripped = text.lstrip()
    if stripped.startswith("/stack") and stripped[6:7] in ("", " ", "\t", "\n"):
        text = stripped[6:]
    try:
        command = grammar.parse(text, today=context.now.date())
    except Rejected as rejected:
        return refusal(rejected)
    return run_parsed(engine, context, command)


def writes(command: grammar.Command) -> bool:
    """Whether `command` may change the store (a refusal it audits counts as a change)."""
    if isinstance(command, grammar.Settings):
        return command.name is not None
    if isinstance(command, grammar.Admins):
        return command.action is not None
    if isinstance(command, grammar.Proposals):
        return command.action is not None
    return not isinstance(command, READ_ONLY)


def run_parsed(engine: Engine, context: Context, command: grammar.Command) -> Reply:
    """Do `command` in one transaction; a refusal rolls it back and says what would work."""
    write = writes(command)
    if not write:
        with session_scope(engine, write=False) as session:
            # A workspace seen for the first time is created, which is a write.
            write = get_workspace(session=session, team_id=context.team_id) is None
    try:
        with session_scope(engine, write=write) as session:
            workspace = ensure_workspace(
                session=session, team_id=context.team_id, now=context.now, zone=context.slack_zone
            )
            return HANDLERS[type(command)](session, workspace, context, command)
    except Rejected as rejected:
        return refusal(rejected)
