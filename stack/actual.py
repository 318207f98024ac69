"""The latest bill's actual spend for a workspace, as templates show it."""

from __future__ import annotations

from sqlmodel import Session

from core.actuals import Actuals, actuals
from core.catalog import load_catalog
from core.stack import StackTool
from db.models import Workspace
from db.spend import month_spend


def load_actuals(session: Session, workspace: Workspace, tools: list[StackTool]) -> Actuals | None:
    """None until a bill has been imported (`stackbot import-billing`)."""
    assert workspace.id is not None
    month = month_spend(session=session, workspace_id=workspace.id)
    if month is None:
        return None
    return actuals(
        tools,
        month=month.month,
        by_tool=month.by_tool,
        unclaimed=[(u.service, u.currency, u.amount) for u in month.unclaimed],
        catalog=load_catalog(),
    )
