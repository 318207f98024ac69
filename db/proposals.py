"""Proposals: tools someone asked to buy, and what became of each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import PENDING, Proposal, Workspace

EXPIRY_DAYS = 30


def create(
    *,
    session: Session,
    workspace_id: int,
    name: str,
    name_key: str,
    values: dict[str, Any],
    why: str | None,
    actor: str,
    now: datetime,
) -> Proposal:
    row = Proposal(
        workspace_id=workspace_id, name=name, name_key=name_key, values=values, why=why,
        proposed_by=actor, created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def get(*, session: Session, workspace_id: int, proposal_id: int) -> Proposal | None:
    """Only the workspace's own: an id from another workspace's button finds nothing."""
    statement = select(Proposal).where(
        Proposal.id == proposal_id, Proposal.workspace_id == workspace_id
    )
    return session.exec(statement).first()


def pending(*, session: Session, workspace_id: int) -> list[Proposal]:
    statement = select(Proposal).where(
        Proposal.workspace_id == workspace_id, Proposal.status == PENDING
    )
    return list(session.exec(statement.order_by(col(Proposal.id))).all())


def pending_named(*, session: Session, workspace_id: int, name_key: str) -> Proposal | None:
    statement = select(Proposal).where(
        Proposal.workspace_id == workspace_id,
        Proposal.status == PENDING,
        Proposal.name_key == name_key,
    )
    return session.exec(statement).first()


def settle(
    *,
    session: Session,
    proposal: Proposal,
    status: str,
    actor: str | None,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Move a pending proposal to `status`; False when someone settled it first."""
    result = session.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal.id, col(Proposal.status) == PENDING)
        .values(status=status, decided_by=actor, decided_at=now, reason=reason)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.refresh(proposal)
    return True


def older_than(*, session: Session, before: datetime) -> list[tuple[Proposal, Workspace]]:
    statement = (
        select(Proposal, Workspace)
        .join(Workspace, col(Workspace.id) == Proposal.workspace_id)
        .where(Proposal.status == PENDING, col(Proposal.created_at) < before)
        .order_by(col(Proposal.id))
    )
    return [(p, w) for p, w in session.exec(statement).all()]
