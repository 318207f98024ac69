"""The accept-a-finding form, reopening a finding, and the overlaps modal."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine

from core import grammar, options
from core.errors import Rejected
from db.engine import session_scope
from db.tools import ensure_workspace
from stack.base import Context, Reply, refusal
from stack.forms import Outcome, inline
from stack.loaded import load_stack
from stack.run import run_parsed
from templates.render import render_view


def accept_form(engine: Engine, context: Context, finding_id: str) -> dict[str, Any] | Reply:
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
        )
        loaded = load_stack(session, workspace, context.today(workspace))
        found = [f for f in loaded.findings if f.id == finding_id]
    if not found:
        return refusal(Rejected("unknown_finding", value=finding_id, suggestion=None))
    metadata = json.dumps({"finding": finding_id, "channel": context.channel_id})
    return render_view("accept_form", finding=found[0], metadata=metadata)


def submit_accept_form(engine: Engine, context: Context, metadata: str, reason: str) -> Outcome:
    try:
        meta = json.loads(metadata or "{}")
        finding_id = str(meta["finding"])
        channel = meta.get("channel")
    except (json.JSONDecodeError, KeyError, TypeError):
        return Outcome(errors={"reason": "This form is out of date: run /stack overlaps again."})
    command: grammar.Command
    try:
        reason = str(options.parse_option("notes", reason, today=context.now.date()) or "")
        if not reason:
            raise Rejected("empty_reason", finding_id=finding_id)
        command = grammar.AcceptFinding(finding_id, reason)
    except Rejected as rejected:
        return Outcome(errors={"reason": inline(refusal(rejected))})
    reply = run_parsed(engine, context, command)
    if not reply.ok:
        return Outcome(errors={"reason": inline(reply)})
    return Outcome(reply=reply, channel_id=channel if isinstance(channel, str) else None)


def overlaps_view(engine: Engine, context: Context) -> dict[str, Any]:
    reply = run_parsed(engine, context, grammar.Overlaps())
    return render_view("overlaps_modal", message=reply.message)


def reopen_finding(engine: Engine, context: Context, finding_id: str) -> Reply:
    return run_parsed(engine, context, grammar.ReopenFinding(finding_id))
