"""The facts a review reminder shows (core.review_facts), loaded for one tool. Kept apart from
stack.reviews so the reminder's wording and its facts change independently."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from core.catalog import load_catalog
from core.review_facts import MONTHS, ReviewFacts, review_facts
from db.models import Tool, Workspace
from db.spend import tool_months
from stack.loaded import load_stack


def load_review_facts(
    session: Session, workspace: Workspace, tool: Tool, today: date
) -> ReviewFacts | None:
    assert workspace.id is not None
    loaded = load_stack(session, workspace, today)
    reviewed = next((t for t in loaded.tools if t.id == tool.id), None)
    if reviewed is None:
        return None
    since = today.replace(day=1) - relativedelta(months=MONTHS - 1)
    billed = tool_months(
        session=session, workspace_id=workspace.id, tool_id=tool.id or 0, since=since
    )
    return review_facts(
        reviewed, tools=loaded.tools, findings=loaded.findings, billed=billed,
        catalog=load_catalog(),
    )  # fmt: skip
