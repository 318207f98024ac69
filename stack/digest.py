"""The weekly digest's content: open findings (new ones marked), spend per layer, reviews due
and overdue, and what changed in the stack since the last digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from core.analysis import summarise
from core.layers import LAYERS
from core.stack import spend_by_currency
from db import tools as store
from db.models import Delivery, Workspace
from stack.actual import load_actuals
from stack.base import Context
from stack.findings import analyse_tools, workspace_tools
from stack.reviews import SOON
from templates.render import render

FINDINGS_SHOWN = 8
CHANGES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Digest:
    message: dict[str, Any]
    finding_ids: list[str]
    empty: bool  # nothing open, nothing due, nothing changed


def build_digest(
    session: Session,
    workspace: Workspace,
    context: Context,
    *,
    period: str,
    previous: Delivery | None,
) -> Digest:
    assert workspace.id is not None
    stack = workspace_tools(session, workspace)
    analysed = analyse_tools(session, workspace, context, stack)
    summary = summarise(analysed, stack)
    findings = [f for f in analysed if not f.accepted]
    seen = set(previous.data.get("findings", [])) if previous else set()
    new = {f.id for f in findings if f.id not in seen} if previous else set()
    totals = spend_by_currency(stack)
    spend = [
        (
            layer,
            spend_by_currency([t for t in stack if layer.number in t.layers], layer=layer.number),
        )
        for layer in LAYERS
    ]
    today = context.today(workspace)
    due = sorted(
        (t for t in stack if t.next_review_on is not None and t.next_review_on <= today + SOON),
        key=lambda t: (t.next_review_on, t.name.casefold()),
    )
    since = previous.claimed_at if previous else context.now - timedelta(days=7)
    changes, change_count = store.list_history(
        session=session, workspace_id=workspace.id, since=since, limit=CHANGES_SHOWN
    )
    message = render(
        "digest",
        workspace=workspace,
        period=period,
        findings=findings[:FINDINGS_SHOWN],
        finding_count=len(findings),
        summary=summary,
        new=new,
        spend=spend,
        totals=totals,
        due=due[:10],
        due_count=len(due),
        today=today,
        changes=changes,
        change_count=change_count,
        since=since,
        zone=workspace.timezone,
        actual=load_actuals(session, workspace, stack),
    )
    empty = not findings and not due and not change_count
    return Digest(message=message, finding_ids=[f.id for f in findings], empty=empty)


def digest_context(workspace: Workspace, now: datetime) -> Context:
    """The clock acts as nobody in particular."""
    return Context(team_id=workspace.team_id, user_id="", now=now)
