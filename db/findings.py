"""Accepted findings, per workspace."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from db.models import FindingDecision


def accepted_findings(*, session: Session, workspace_id: int) -> dict[str, str]:
    """{finding id: the fingerprint it was accepted with}."""
    rows = session.exec(
        select(FindingDecision.finding_id, FindingDecision.fingerprint).where(
            FindingDecision.workspace_id == workspace_id
        )
    ).all()
    return dict(rows)


def accept_finding(
    *,
    session: Session,
    workspace_id: int,
    finding_id: str,
    fingerprint: str,
    reason: str,
    actor: str,
    now: datetime,
) -> FindingDecision:
    """Record the decision, replacing an older one whose tools have since changed."""
    session.exec(
        delete(FindingDecision).where(
            col(FindingDecision.workspace_id) == workspace_id,
            col(FindingDecision.finding_id) == finding_id,
        )
    )
    decision = FindingDecision(
        workspace_id=workspace_id,
        finding_id=finding_id,
        fingerprint=fingerprint,
        reason=reason,
        decided_by=actor,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    return decision


def reopen_finding(*, session: Session, workspace_id: int, finding_id: str) -> int:
    """Forget the decision; returns how many rows went (0 or 1)."""
    result = session.exec(
        delete(FindingDecision).where(
            col(FindingDecision.workspace_id) == workspace_id,
            col(FindingDecision.finding_id) == finding_id,
        )
    )
    return int(result.rowcount)
