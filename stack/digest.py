"""The weekly digest's content: open findings (new ones marked), spend per layer, reviews due
and overdue, and what changed in the stack since the last digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from core.analysis import doubled_by_tool
from core.schedule import local_date, week_of
from db import tools as store
from db.models import Delivery, Workspace
from stack.loaded import load_stack
from stack.reviews import SOON
from templates.render import render

FINDINGS_SHOWN = 8
CHANGES_SHOWN = 10
# The digest goes to a team channel: who was refused what stays in `/stack history`.
PRIVATE = ("refused",)


@dataclass(frozen=True, slots=True)
class Digest:
    message: dict[str, Any]
    finding_ids: list[str]
    empty: bool  # nothing open, nothing due, nothing changed


def build_digest(
    session: Session,
    workspace: Workspace,
    *,
    now: datetime,
    period: str,
    previous: Delivery | None,
) -> Digest:
    assert workspace.id is not None
    today = local_date(now, workspace.timezone)
    loaded = load_stack(session, workspace, today)
    findings = [f for f in loaded.findings if not f.accepted]
    seen = set(previous.data.get("findings", [])) if previous else set()
    new = {f.id for f in findings if f.id not in seen} if previous else set()
    spend = [(layer.layer, layer.spend) for layer in loaded.map.layers]
    due = sorted(
        (
            t
            for t in loaded.tools
            if t.next_review_on is not None and t.next_review_on <= today + SOON
        ),
        key=lambda t: (t.next_review_on, t.name.casefold()),
    )
    since = previous.claimed_at if previous else now - timedelta(days=7)
    changes, change_count = store.list_history(
        session=session,
        workspace_id=workspace.id,
        since=since,
        limit=CHANGES_SHOWN,
        leave_out=PRIVATE,
    )
    message = render(
        "digest",
        workspace=workspace,
        period=period,
        week=week_of(period),
        findings=findings[:FINDINGS_SHOWN],
        finding_count=len(findings),
        summary=loaded.summary,
        new=new,
        spend=spend,
        totals=loaded.map.spend,
        due=due[:10],
        due_count=len(due),
        today=today,
        changes=changes,
        change_count=change_count,
        since=since,
        zone=workspace.timezone,
        actual=loaded.actual,
        doubled=doubled_by_tool(loaded.findings),
    )
    empty = not findings and not due and not change_count
    return Digest(message=message, finding_ids=[f.id for f in findings], empty=empty)
