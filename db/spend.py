"""Actual spend from bills: kept per provider, month, currency and tool (or unclaimed service).
An import replaces the months it covers for its provider, so a month read twice counts once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from db.models import ActualSpend


@dataclass(frozen=True, slots=True)
class SpendRow:
    """One total to store: `tool_id` None for AI or ML spend no tool claims."""

    provider: str
    month: date
    currency: str
    match_key: str
    tool_id: int | None
    service: str
    category: str
    amount_cents: int
    rows: int
    effective_cents: int | None = None  # FOCUS EffectiveCost, when every row of the total had one


@dataclass(frozen=True, slots=True)
class Unclaimed:
    service: str
    category: str
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MonthSpend:
    """A month's actual spend: per tool and currency, and the AI spend no tool claims."""

    month: date
    by_tool: Mapping[int, Mapping[str, Decimal]]
    unclaimed: Sequence[Unclaimed]


def replace_months(
    *,
    session: Session,
    workspace_id: int,
    months: Mapping[str, Sequence[date]],
    rows: Sequence[SpendRow],
    actor: str,
    now: datetime,
) -> int:
    """Delete what earlier imports stored for these providers' months, then store `rows`;
    returns how many rows were deleted."""
    deleted = 0
    for provider, provider_months in months.items():
        result = session.exec(
            delete(ActualSpend).where(
                col(ActualSpend.workspace_id) == workspace_id,
                col(ActualSpend.provider) == provider,
                col(ActualSpend.month).in_(list(provider_months)),
            )
        )
        deleted += int(result.rowcount)
    session.add_all(
        ActualSpend(
            workspace_id=workspace_id,
            provider=row.provider[:80],
            month=row.month,
            currency=row.currency,
            match_key=row.match_key[:240],
            tool_id=row.tool_id,
            service=row.service[:200],
            category=row.category[:40],
            amount_cents=row.amount_cents,
            effective_cents=row.effective_cents,
            rows=row.rows,
            imported_by=actor,
            imported_at=now,
        )
        for row in rows
    )
    session.flush()
    return deleted


def latest_month(*, session: Session, workspace_id: int) -> date | None:
    statement = select(func.max(ActualSpend.month)).where(
        col(ActualSpend.workspace_id) == workspace_id
    )
    found = session.exec(statement).one()
    return found if isinstance(found, date) else None


def month_spend(
    *, session: Session, workspace_id: int, month: date | None = None
) -> MonthSpend | None:
    """The latest month with a bill (or `month`), summed over providers; None before any bill."""
    month = month or latest_month(session=session, workspace_id=workspace_id)
    if month is None:
        return None
    rows = session.exec(
        select(ActualSpend).where(
            col(ActualSpend.workspace_id) == workspace_id, col(ActualSpend.month) == month
        )
    ).all()
    by_tool: dict[int, dict[str, Decimal]] = {}
    unclaimed: dict[tuple[str, str], Unclaimed] = {}
    for row in rows:
        amount = Decimal(row.amount_cents) / 100
        if row.tool_id is not None:
            currencies = by_tool.setdefault(row.tool_id, {})
            currencies[row.currency] = currencies.get(row.currency, Decimal(0)) + amount
            continue
        key = (row.match_key, row.currency)
        before = unclaimed.get(key)
        total = amount + (before.amount if before else Decimal(0))
        unclaimed[key] = Unclaimed(row.service, row.category, row.currency, total)
    ordered = sorted(unclaimed.values(), key=lambda u: (-u.amount, u.service.casefold()))
    return MonthSpend(month=month, by_tool=by_tool, unclaimed=ordered)


def monthly_totals(
    *, session: Session, workspace_id: int, months: int = 6
) -> dict[str, list[tuple[date, Decimal]]]:
    """Per currency, each of the last `months` months with a bill and its billed total, oldest
    first; empty before any bill. Currencies are never added together."""
    recent = (
        select(col(ActualSpend.month))
        .where(col(ActualSpend.workspace_id) == workspace_id)
        .distinct()
        .order_by(col(ActualSpend.month).desc())
        .limit(months)
    )
    statement = (
        select(
            col(ActualSpend.currency), col(ActualSpend.month), func.sum(ActualSpend.amount_cents)
        )
        .where(
            col(ActualSpend.workspace_id) == workspace_id,
            col(ActualSpend.month).in_(recent.scalar_subquery()),
        )
        .group_by(col(ActualSpend.currency), col(ActualSpend.month))
        .order_by(col(ActualSpend.currency), col(ActualSpend.month))
    )
    totals: dict[str, list[tuple[date, Decimal]]] = {}
    for currency, month, cents in session.exec(statement).all():
        totals.setdefault(currency, []).append((month, Decimal(int(cents)) / 100))
    return totals


def tool_months(
    *, session: Session, workspace_id: int, tool_id: int, since: date
) -> list[tuple[date, str, Decimal]]:
    """A tool's billed spend per month and currency from `since` on, oldest first, summed over
    providers; currencies are never added together."""
    statement = (
        select(
            col(ActualSpend.month), col(ActualSpend.currency), func.sum(ActualSpend.amount_cents)
        )
        .where(
            col(ActualSpend.workspace_id) == workspace_id,
            col(ActualSpend.tool_id) == tool_id,
            col(ActualSpend.month) >= since,
        )
        .group_by(col(ActualSpend.month), col(ActualSpend.currency))
        .order_by(col(ActualSpend.month), col(ActualSpend.currency))
    )
    return [
        (month, currency, Decimal(int(cents)) / 100)
        for month, currency, cents in session.exec(statement).all()
    ]
