"""Queries over workspaces, tools and their history. Every one is scoped to one workspace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from core.money import Cost, Period
from core.stack import StackTool
from db.models import (
    ACTIVE,
    ActualSpend,
    AuditEvent,
    Delivery,
    FindingDecision,
    Proposal,
    ReviewDecision,
    StackAdmin,
    Tool,
    Workspace,
)  # fmt: skip

# The fields a person sees and changes; an audit event records them before and after.
AUDITED = (
    "name",
    "layers",
    "capabilities",
    "vendor",
    "sourcing",
    "cost",
    "owner_id",
    "backup_owner_id",
    "channel_id",
    "renews_on",
    "notice_days",
    "last_review_on",
    "next_review_on",
    "status",
    "notes",
    "platform",
    "billing_match",
)


def get_workspace(*, session: Session, team_id: str) -> Workspace | None:
    return session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def ensure_workspace(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    zone: str | None = None,
) -> Workspace:
    """The team's workspace row, created on first use (safe when two requests race).

    `zone` is used only when the row is created: the time zone to start with (UTC if None).
    """
    found = get_workspace(session=session, team_id=team_id)
    if found is not None:
        return found
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    timezone = zone or "UTC"
    defaults = Workspace(team_id=team_id, created_at=now, timezone=timezone).model_dump(
        exclude={"id"}
    )
    statement = insert(Workspace).values(**defaults).on_conflict_do_nothing()
    session.execute(statement)
    created = get_workspace(session=session, team_id=team_id)
    assert created is not None
    return created


def find_tool(
    *,
    session: Session,
    workspace_id: int,
    name_key: str,
    catalog_key: str | None = None,
) -> Tool | None:
    """The tool registered under `name_key`, else the one registered as catalog entry
    `catalog_key` under another name ("wandb" finds "Weights & Biases")."""
    match = col(Tool.name_key) == name_key
    if catalog_key is not None:
        match = or_(match, col(Tool.catalog_key) == catalog_key)
    rows = session.exec(select(Tool).where(Tool.workspace_id == workspace_id, match)).all()
    rows = sorted(rows, key=lambda t: (t.name_key != name_key, t.status != ACTIVE, t.id))
    return rows[0] if rows else None


def tool_names(*, session: Session, workspace_id: int) -> list[str]:
    statement = select(Tool.name).where(Tool.workspace_id == workspace_id)
    return list(session.exec(statement).all())


def list_tools(*, session: Session, workspace_id: int, status: str | None = ACTIVE) -> list[Tool]:
    statement = select(Tool).where(Tool.workspace_id == workspace_id)
    if status is not None:
        statement = statement.where(Tool.status == status)
    return list(session.exec(statement.order_by(Tool.name_key)).all())


def page_tools(
    *, session: Session, workspace_id: int, status: str, layer: int | None, limit: int
) -> tuple[list[Tool], int]:
    """The first `limit` tools by name (in `layer`, if given), and how many there are in all.

    Only ids and layers are read for every tool; whole rows only for the page shown, so a list
    costs the same at 50 tools and at 5,000.
    """
    where = [col(Tool.workspace_id) == workspace_id, col(Tool.status) == status]
    if layer is None:  # the layers (JSON, decoded per row) only when they choose
        ids = list(session.exec(select(Tool.id).where(*where).order_by(col(Tool.name_key))))
    else:
        rows = session.exec(select(Tool.id, Tool.layers).where(*where).order_by(col(Tool.name_key)))
        ids = [tool_id for tool_id, layers in rows if layer in layers]
    page = ids[:limit]
    tools = session.exec(select(Tool).where(col(Tool.id).in_(page))).all() if page else []
    by_id = {tool.id: tool for tool in tools}
    return [by_id[tool_id] for tool_id in page], len(ids)


def add_tool(
    *,
    session: Session,
    workspace_id: int,
    values: Mapping[str, Any],
    actor: str,
    now: datetime,
    action: str = "add",
) -> Tool:
    tool = Tool(workspace_id=workspace_id, added_by=actor, added_at=now, updated_at=now, **values)
    session.add(tool)
    session.flush()
    record_event(
        session=session,
        workspace_id=workspace_id,
        actor=actor,
        action=action,
        tool=tool,
        after=snapshot(tool),
        now=now,
    )
    return tool


def add_tools(
    *,
    session: Session,
    workspace_id: int,
    rows: Sequence[Mapping[str, Any]],
    actor: str,
    now: datetime,
    action: str,
) -> list[Tool]:
    """`add_tool` for many tools at once: two batched INSERTs instead of two per tool, so an
    import of 10,000 rows takes seconds."""
    tools = [
        Tool(workspace_id=workspace_id, added_by=actor, added_at=now, updated_at=now, **values)
        for values in rows
    ]
    session.add_all(tools)
    session.flush()
    session.add_all(
        AuditEvent(
            workspace_id=workspace_id,
            tool_id=tool.id,
            tool_name=tool.name,
            actor=actor,
            action=action,
            after=snapshot(tool),
            at=now,
        )
        for tool in tools
    )
    session.flush()
    return tools


def update_tool(
    *,
    session: Session,
    workspace_id: int,
    tool: Tool,
    values: Mapping[str, Any],
    actor: str,
    action: str,
    now: datetime,
) -> dict[str, tuple[Any, Any]]:
    """Apply `values` to `tool` and audit what changed; returns {field: (before, after)}."""
    if tool.workspace_id != workspace_id:
        raise PermissionError("that tool belongs to another workspace")
    before = snapshot(tool)
    for name, value in values.items():
        setattr(tool, name, value)
    after = snapshot(tool)
    changed = {k: (before[k], after[k]) for k in AUDITED if before[k] != after[k]}
    if changed:
        tool.updated_at = now
        session.add(tool)
        record_event(
            session=session,
            workspace_id=workspace_id,
            actor=actor,
            action=action,
            tool=tool,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            now=now,
        )
    return changed


def record_event(
    *,
    session: Session,
    workspace_id: int,
    actor: str,
    action: str,
    now: datetime,
    tool: Tool | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        workspace_id=workspace_id,
        tool_id=tool.id if tool else None,
        tool_name=tool.name if tool else None,
        actor=actor,
        action=action,
        before=before,
        after=after,
        at=now,
    )
    session.add(event)
    session.flush()
    return event


def list_history(
    *,
    session: Session,
    workspace_id: int,
    tool_id: int | None = None,
    since: datetime | None = None,
    limit: int = 20,
    leave_out: Sequence[str] = (),
) -> tuple[list[AuditEvent], int]:
    """The newest `limit` events (since `since`; none whose action is in `leave_out`), and how
    many there are in all."""
    where: list[ColumnElement[bool]] = [col(AuditEvent.workspace_id) == workspace_id]
    if leave_out:
        where.append(col(AuditEvent.action).not_in(leave_out))
    if tool_id is not None:
        where.append(col(AuditEvent.tool_id) == tool_id)
    if since is not None:
        where.append(col(AuditEvent.at) >= since)
    events = session.exec(
        select(AuditEvent).where(*where).order_by(col(AuditEvent.id).desc()).limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    return list(events), int(total)


def snapshot(tool: Tool) -> dict[str, Any]:
    """The audited fields as JSON-ready values; a cost is one value, not three columns."""
    return {name: _jsonable(_field(tool, name)) for name in AUDITED}


def _field(tool: Tool, name: str) -> Any:
    if name != "cost":
        return getattr(tool, name)
    cost = cost_of(tool)
    if cost is None:
        return None
    return {"amount": str(cost.amount), "currency": cost.currency, "period": cost.period}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return value


def cost_of(tool: Tool) -> Cost | None:
    return _cost(tool.cost_cents, tool.cost_currency, tool.cost_period)


def _cost(cents: int | None, currency: str | None, period: str | None) -> Cost | None:
    if cents is None or currency is None:
        return None
    per: Period = "year" if period == "year" else "month"
    return Cost(Decimal(cents) / 100, currency, per)


def cost_columns(cost: Cost | None) -> dict[str, Any]:
    if cost is None:
        return {"cost_cents": None, "cost_currency": None, "cost_period": None}
    cents = int((cost.amount * 100).to_integral_value())
    return {"cost_cents": cents, "cost_currency": cost.currency, "cost_period": cost.period}


_STACK_COLUMNS = (
    "id", "name", "layers", "capabilities", "catalog_key", "vendor", "sourcing", "cost_cents",
    "cost_currency", "cost_period", "owner_id", "former_owner_id", "next_review_on", "platform",
    "renews_on", "notice_days",
)  # fmt: skip


def stack_tools(*, session: Session, workspace_id: int) -> list[StackTool]:
    """The active tools as the analysis and the map read them, in name order: a plain SELECT
    of the columns they need, no ORM objects (at 1,000 tools, building the objects cost about
    as much CPU as the analysis itself; bench/README.md)."""
    table = Tool.__table__.c  # type: ignore[attr-defined]
    statement = (
        sa.select(*[table[name] for name in _STACK_COLUMNS])
        .where(table.workspace_id == workspace_id, table.status == ACTIVE)
        .order_by(table.name_key)
    )
    tools = []
    for row in session.execute(statement):
        tool = StackTool(
            id=row.id, name=row.name, layers=tuple(row.layers),
            capabilities=tuple(row.capabilities), catalog_key=row.catalog_key,
            vendor=row.vendor, sourcing=row.sourcing,
            cost=_cost(row.cost_cents, row.cost_currency, row.cost_period),
            owner_id=row.owner_id, former_owner_id=row.former_owner_id, active=True,
            next_review_on=row.next_review_on, platform=row.platform,
            renews_on=row.renews_on, notice_days=row.notice_days,
        )  # fmt: skip
        tools.append(tool)
    return tools


def to_stack_tool(tool: Tool) -> StackTool:
    return StackTool(
        id=tool.id or 0,  # 0: a tool not stored (one proposed, say)
        name=tool.name,
        layers=tuple(tool.layers),
        capabilities=tuple(tool.capabilities),
        catalog_key=tool.catalog_key,
        vendor=tool.vendor,
        sourcing=tool.sourcing,
        cost=cost_of(tool),
        owner_id=tool.owner_id,
        former_owner_id=tool.former_owner_id,
        active=tool.status == ACTIVE,
        next_review_on=tool.next_review_on,
        platform=tool.platform,
        renews_on=tool.renews_on,
        notice_days=tool.notice_days,
    )


def purge_workspace(*, session: Session, team_id: str) -> dict[str, int] | None:
    """Delete a workspace's stack, history and decisions; None when there is no such workspace."""
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return None
    counts: dict[str, int] = {}
    for table in (
        ActualSpend,
        AuditEvent,
        FindingDecision,
        StackAdmin,
        Delivery,
        ReviewDecision,
        Proposal,
        Tool,
    ):
        result = session.exec(delete(table).where(col(table.workspace_id) == workspace.id))
        counts[str(table.__tablename__)] = int(result.rowcount)
    session.delete(workspace)
    return counts
