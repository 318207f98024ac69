"""Delivery rows: the claim that makes each reminder and digest go out once, and the record of
what happened to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.reviews import SNOOZES
from db.models import FAILED, SENDING, SENT, Delivery, ReviewDecision, Tool, Workspace

UNDELIVERABLE = "undeliverable"  # tried, and trying again cannot help (no channel, ...)
SKIPPED = "skipped"  # deliberately not sent: an empty digest the workspace asked to skip
QUEUED = "queued"  # claimed on a request, posted by the clock's next pass
MAX_ATTEMPTS = 5
# A claim older than this whose post was never recorded belonged to a clock that died: it is
# tried again, so a reminder is late rather than lost.
LEASE = timedelta(minutes=10)


def claim(
    *,
    session: Session,
    workspace_id: int,
    key: str,
    kind: str,
    period: str,
    now: datetime,
    tool_id: int | None = None,
    data: dict[str, Any] | None = None,
    status: str = SENDING,
) -> Delivery | None:
    """Insert the row for `key`; None when it exists already (another pass or clock has it)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = Delivery(
        workspace_id=workspace_id, key=key, kind=kind, period=period, tool_id=tool_id,
        status=status, claimed_at=now, data=data or {},
    ).model_dump(exclude={"id"})  # fmt: skip
    # RETURNING says whether the row went in; rowcount is not reliable for ON CONFLICT on
    # every driver (psycopg reports -1).
    statement = (
        insert(Delivery).values(**values).on_conflict_do_nothing().returning(col(Delivery.id))
    )
    if session.connection().execute(statement).first() is None:
        return None
    return session.exec(
        select(Delivery).where(Delivery.workspace_id == workspace_id, Delivery.key == key)
    ).one()


def exists(*, session: Session, workspace_id: int, key: str) -> bool:
    statement = select(Delivery.id).where(
        Delivery.workspace_id == workspace_id, Delivery.key == key
    )
    return session.exec(statement).first() is not None


def by_key(*, session: Session, workspace_id: int, key: str) -> Delivery | None:
    statement = select(Delivery).where(Delivery.workspace_id == workspace_id, Delivery.key == key)
    return session.exec(statement).first()


def finish(
    *,
    session: Session,
    delivery_id: int,
    status: str,
    now: datetime,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
    note: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "error": error, "note": note}
    if channel is not None:
        values["channel"] = channel
    if ts is not None:
        values["ts"] = ts
    if status == SENT:
        values["sent_at"] = now
    session.execute(update(Delivery).where(col(Delivery.id) == delivery_id).values(**values))


def retryable(
    *, session: Session, now: datetime, team_id: str | None = None
) -> list[tuple[Delivery, str]]:
    """Rows to try again, with their team ids: queued ones, failed ones with attempts left, and
    claims a dead clock left behind."""
    statement = (
        select(Delivery, Workspace.team_id)
        .join(Workspace, col(Workspace.id) == Delivery.workspace_id)
        .where(
            or_(
                col(Delivery.status) == QUEUED,
                (col(Delivery.status) == FAILED) & (col(Delivery.attempts) < MAX_ATTEMPTS),
                (col(Delivery.status) == SENDING) & (col(Delivery.claimed_at) < now - LEASE),
            )
        )
    )
    if team_id is not None:
        statement = statement.where(Workspace.team_id == team_id)
    return [(row, team) for row, team in session.exec(statement.order_by(col(Delivery.id))).all()]


def reclaim(*, session: Session, delivery: Delivery, now: datetime) -> bool:
    """Take a retryable row for this pass; False when another clock took it first."""
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery.id,
            col(Delivery.status) == delivery.status,
            col(Delivery.attempts) == delivery.attempts,
        )
        .values(status=SENDING, claimed_at=now, attempts=delivery.attempts + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def message_of(delivery: Delivery) -> dict[str, Any] | None:
    message = delivery.data.get("message")
    return message if isinstance(message, dict) else None


def recent(
    *, session: Session, workspace_id: int, since: datetime, kinds: Sequence[str] = ()
) -> list[Delivery]:
    statement = select(Delivery).where(
        Delivery.workspace_id == workspace_id, col(Delivery.claimed_at) >= since
    )
    if kinds:
        statement = statement.where(col(Delivery.kind).in_(kinds))
    return list(session.exec(statement.order_by(col(Delivery.id).desc())).all())


def last_digest(*, session: Session, workspace_id: int) -> Delivery | None:
    statement = (
        select(Delivery)
        .where(Delivery.workspace_id == workspace_id, Delivery.kind == "digest")
        .order_by(col(Delivery.id).desc())
    )
    return session.exec(statement).first()


def due_tools(
    *, session: Session, before: date, team_id: str | None = None
) -> list[tuple[Workspace, Tool]]:
    """Active tools whose review is due on or before `before`, with their workspaces."""
    statement = (
        select(Workspace, Tool)
        .join(Tool, col(Tool.workspace_id) == Workspace.id)
        .where(Tool.status == "active", col(Tool.next_review_on).is_not(None))
        .where(col(Tool.next_review_on) <= before)
    )
    if team_id is not None:
        statement = statement.where(Workspace.team_id == team_id)
    order = (col(Workspace.id), col(Tool.next_review_on), col(Tool.id))
    rows = session.exec(statement.order_by(*order)).all()
    return [(workspace, tool) for workspace, tool in rows]


def record_decision(
    *,
    session: Session,
    workspace_id: int,
    tool_id: int,
    due: date,
    decision: str,
    reason: str | None,
    actor: str,
    now: datetime,
) -> ReviewDecision:
    row = ReviewDecision(
        workspace_id=workspace_id, tool_id=tool_id, due=due, decision=decision, reason=reason,
        decided_by=actor, decided_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def last_decision(*, session: Session, workspace_id: int, tool_id: int) -> ReviewDecision | None:
    statement = (
        select(ReviewDecision)
        .where(ReviewDecision.workspace_id == workspace_id, ReviewDecision.tool_id == tool_id)
        .order_by(col(ReviewDecision.id).desc())
    )
    return session.exec(statement).first()


def snoozed(*, session: Session, tools: Sequence[Tool]) -> set[int]:
    """Ids of the tools whose current review cycle was snoozed: their latest decision is a
    snooze made since the cycle began (an edit that starts a new cycle ends the snooze)."""
    ids = [tool.id for tool in tools if tool.id is not None]
    if not ids:
        return set()
    latest = (
        select(func.max(ReviewDecision.id))
        .where(col(ReviewDecision.tool_id).in_(ids))
        .group_by(col(ReviewDecision.tool_id))
    )
    rows = session.exec(select(ReviewDecision).where(col(ReviewDecision.id).in_(latest))).all()
    starts = {tool.id: tool.review_cycle_start or tool.added_at for tool in tools}
    return {
        row.tool_id
        for row in rows
        if row.decision in SNOOZES and row.decided_at >= starts[row.tool_id]
    }
