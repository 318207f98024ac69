"""The review form behind a reminder's buttons, and "I own this"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from core import grammar
from core.errors import Rejected
from core.reviews import DECISIONS
from db.engine import session_scope
from db.models import ACTIVE, Tool
from db.tools import ensure_workspace, get_workspace, update_tool
from stack import reviews
from stack.base import Context, Reply, refusal
from stack.forms import Outcome, inline
from stack.tools import may_change
from templates.render import Message, render, render_view


def review_form(
    engine: Engine, context: Context, value: str, decision: str, where: dict[str, Any]
) -> dict[str, Any] | Reply:
    """The modal behind a reminder's decision buttons: an optional reason, then the decision.
    A review decided already says at once who decided what and when, with no form."""
    button = parse_button(value)
    if button is None or decision not in DECISIONS:
        return refusal(Rejected("stale_button"))
    tool_id, due = button
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=context.team_id)
        tool = session.get(Tool, tool_id)
        if workspace is None or tool is None or tool.workspace_id != workspace.id:
            return refusal(Rejected("stale_button"))
        if tool.status != ACTIVE:
            return refusal(Rejected("review_retired", name=tool.name))
        decided = reviews.decided_already(session, workspace, tool, due)
        if decided is not None:
            return refusal(decided)
        if not may_change(session, workspace, context, tool):  # said now, not after the form
            owner = tool.owner_id or tool.added_by
            return refusal(
                Rejected("not_owner", what="decide the review of", name=tool.name, owner=owner)
            )
        name = tool.name
    metadata = json.dumps({"tool": name, "due": due.isoformat(), "decision": decision, **where})
    return render_view("review_form", name=name, decision=decision, metadata=metadata)


def submit_review_form(engine: Engine, context: Context, metadata: str, reason: str) -> Outcome:
    try:
        meta = json.loads(metadata)
        name, due, decision = (
            str(meta["tool"]),
            date.fromisoformat(meta["due"]),
            str(meta["decision"]),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return Outcome(errors={"reason": "This form is out of date: use /stack reviews."})
    command = grammar.Review(name=name, decision=decision, reason=reason.strip() or None)
    try:
        with session_scope(engine) as session:
            workspace = ensure_workspace(
                session=session, team_id=context.team_id, now=context.now, zone=context.zone
            )
            reply = reviews.review(session, workspace, context, command, due=due)
    except Rejected as rejected:
        reply = refusal(rejected)
    if not reply.ok:
        return Outcome(errors={"reason": inline(reply)})
    channel, ts = meta.get("channel"), meta.get("ts")
    return Outcome(
        reply=reply,
        channel_id=channel if isinstance(channel, str) else None,
        ts=ts if isinstance(ts, str) else None,
    )


def parse_button(value: str) -> tuple[int, date] | None:
    """A reminder button's value: the tool and the due date of the cycle it was sent for."""
    try:
        button = json.loads(value)
        return int(button["tool"]), date.fromisoformat(str(button["due"]))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Claimed:
    reply: Reply
    reminder: Message | None = None  # the reminder as it reads now, to update it in place


def claim_tool(engine: Engine, context: Context, value: str) -> Claimed:
    """ "I own this" on a reminder for a tool nobody owns."""
    button = parse_button(value)
    if button is None:
        return Claimed(refusal(Rejected("stale_button")))
    tool_id, due = button
    # Taking a tool nobody owns is open to anyone: that is what the button is for.
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
        )
        tool = session.get(Tool, tool_id)
        if tool is None or tool.workspace_id != workspace.id or tool.status != ACTIVE:
            return Claimed(refusal(Rejected("stale_button")))
        if tool.owner_id:
            return Claimed(refusal(Rejected("already_owned", name=tool.name, owner=tool.owner_id)))
        old_name = tool.name
        changes = update_tool(
            session=session, workspace_id=tool.workspace_id, tool=tool,
            values={"owner_id": context.user_id}, actor=context.user_id, action="edit",
            now=context.now,
        )  # fmt: skip
        message = render("tool_edited", tool=tool, old_name=old_name, changes=changes)
        reminder = reviews.reminder_message(tool, due=due, today=context.today(workspace))
    return Claimed(Reply(message, public=True), reminder)
