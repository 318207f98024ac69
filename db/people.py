"""Owners who left Slack: their tools lose them once, with a record of who it was."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from db.models import Tool, Workspace
from db.tools import record_event

LEFT = "owner-left"
BACKUP_LEFT = "backup-left"


def workspaces_of(*, session: Session, team_id: str) -> list[Workspace]:
    return list(session.exec(select(Workspace).where(Workspace.team_id == team_id)).all())


def owners_and_backups(*, session: Session, team_id: str) -> set[str]:
    """Everyone who owns or backs up a tool in the workspace."""
    statement = (
        select(Tool.owner_id, Tool.backup_owner_id)
        .join(Workspace, col(Workspace.id) == Tool.workspace_id)
        .where(Workspace.team_id == team_id)
        .where(or_(col(Tool.owner_id).is_not(None), col(Tool.backup_owner_id).is_not(None)))
    )
    return {u for pair in session.exec(statement).all() for u in pair if u}


def all_workspaces(*, session: Session) -> list[tuple[int, str, str]]:
    """Every workspace's id, team and time zone."""
    rows = session.exec(select(Workspace.id, Workspace.team_id, Workspace.timezone)).all()
    return [(workspace_id or 0, team_id, zone) for workspace_id, team_id, zone in rows]


def orphan_tools(*, session: Session, workspace_id: int, user_id: str, now: datetime) -> list[Tool]:
    """Take `user_id` off every tool they own or back up, audited. Returns the tools that lost
    their owner just now: none for a second event about the same person, because each row is
    changed by a conditional UPDATE that only matches while they still own it."""
    orphaned = _clear(session, workspace_id, user_id, now, column="owner_id", action=LEFT)
    _clear(session, workspace_id, user_id, now, column="backup_owner_id", action=BACKUP_LEFT)
    return orphaned


def _clear(
    session: Session, workspace_id: int, user_id: str, now: datetime, *, column: str, action: str
) -> list[Tool]:
    field = getattr(Tool, column)
    candidates = session.exec(
        select(Tool).where(Tool.workspace_id == workspace_id, field == user_id)
    ).all()
    changed = []
    for tool in candidates:
        values: dict[str, object] = {column: None, "updated_at": now}
        if column == "owner_id":
            values["former_owner_id"] = user_id
        result = session.execute(
            update(Tool).where(col(Tool.id) == tool.id, field == user_id).values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            continue  # another worker took it first
        session.refresh(tool)
        record_event(
            session=session, workspace_id=workspace_id, actor=user_id, action=action, tool=tool,
            before={column: user_id}, after={column: None}, now=now,
        )  # fmt: skip
        changed.append(tool)
    return changed
