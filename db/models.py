"""The store's tables. Every row but a workspace's belongs to exactly one workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

ACTIVE = "active"
RETIRED = "retired"


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Workspace(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, unique=True)
    name: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    digest_channel: str | None = Field(default=None, max_length=32)
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    review_channel: str | None = Field(default=None, max_length=32)
    reminder_hour: int = 9
    review_leads: list[int] = _json(lambda: [60, 30, 7])
    dm_owners: bool = False
    skip_empty_digest: bool = False
    owned_layers: list[int] = _json(list)
    # Weekly overdue reminders left unanswered before a review goes to the backup owner.
    escalate_after: int = 2
    created_at: datetime = _utc()


class Tool(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "name_key", name="uq_tool_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    name: str = Field(max_length=80)
    name_key: str = Field(max_length=320)
    catalog_key: str | None = Field(default=None, max_length=64)
    layers: list[int] = _json(list)
    capabilities: list[str] = _json(list)
    vendor: str | None = Field(default=None, max_length=80)
    sourcing: str | None = Field(default=None, max_length=16)
    cost_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cost_currency: str | None = Field(default=None, max_length=3)
    cost_period: str | None = Field(default=None, max_length=8)
    owner_id: str | None = Field(default=None, max_length=32)
    backup_owner_id: str | None = Field(default=None, max_length=32)
    # Who owned it until they left Slack; cleared when someone owns it again.
    former_owner_id: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    renews_on: date | None = None
    notice_days: int | None = None
    last_review_on: date | None = None
    next_review_on: date | None = None
    # When the current review cycle began (added, decided or snoozed): reminder stages before it
    # never fire. None on rows from before this column: the time the tool was added counts.
    review_cycle_start: datetime | None = _utc(nullable=True)
    status: str = Field(default=ACTIVE, max_length=16)
    notes: str | None = Field(default=None, max_length=1000)
    platform: bool | None = None  # the team's word; None: the catalog's
    # Which rows of a FOCUS bill are this tool's, as `billing:` gives it (core/billing.py).
    billing_match: str | None = Field(default=None, max_length=200)
    added_by: str = Field(max_length=32)
    added_at: datetime = _utc()
    updated_at: datetime = _utc()
    retired_at: datetime | None = _utc(nullable=True)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_workspace_at", "workspace_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    tool_id: int | None = Field(default=None, foreign_key="tool.id", index=True)
    tool_name: str | None = Field(default=None, max_length=80)
    actor: str = Field(max_length=32)
    action: str = Field(max_length=32)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    at: datetime = _utc()


class FindingDecision(SQLModel, table=True):
    """A finding the team accepted as intentional, for the set of tools it had then."""

    __tablename__ = "finding_decision"
    __table_args__ = (UniqueConstraint("workspace_id", "finding_id", name="uq_finding_decision"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    finding_id: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64)
    reason: str = Field(max_length=500)
    decided_by: str = Field(max_length=32)
    decided_at: datetime = _utc()


class StackAdmin(SQLModel, table=True):
    """Someone named with `/stack admins add`, besides the workspace's own admins and owners."""

    __tablename__ = "stack_admin"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_stack_admin"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_id: str = Field(max_length=32)
    added_by: str = Field(max_length=32)
    added_at: datetime = _utc()


class SlackEvent(SQLModel, table=True):
    """An Events API delivery already handled: Slack retries deliveries, the work runs once."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _utc(index=True)


SENDING = "sending"
SENT = "sent"
FAILED = "failed"


class Delivery(SQLModel, table=True):
    """One reminder stage or one weekly digest. Its unique key is the claim: whoever inserts
    the row posts the message, so nothing is posted twice, even with two clocks running."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key", name="uq_delivery_key"),
        Index("ix_delivery_status", "status", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    key: str = Field(max_length=200)  # "review:42:2027-03-01:lead-30", "digest:2026-W48"
    kind: str = Field(max_length=16)  # "reminder" or "digest"
    tool_id: int | None = Field(default=None, foreign_key="tool.id")
    period: str = Field(max_length=64)
    status: str = Field(default=SENDING, max_length=16)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=200)
    attempts: int = 1
    claimed_at: datetime = _utc()
    sent_at: datetime | None = _utc(nullable=True)
    data: dict[str, Any] = _json(dict)


class ReviewDecision(SQLModel, table=True):
    """What someone decided about a tool's review cycle (the cycle is its due date)."""

    __tablename__ = "review_decision"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    tool_id: int = Field(foreign_key="tool.id", index=True)
    due: date
    decision: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    decided_by: str = Field(max_length=32)
    decided_at: datetime = _utc()


class ActualSpend(SQLModel, table=True):
    """What a bill says was spent in one month, per provider, currency and tool (or, for AI and
    ML spend no tool claims, per service). An import of a provider's month replaces its rows."""

    __tablename__ = "actual_spend"
    __table_args__ = (
        UniqueConstraint(
            "workspace_id", "provider", "month", "currency", "match_key", name="uq_actual_spend"
        ),
        Index("ix_actual_spend_month", "workspace_id", "month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    provider: str = Field(max_length=80)
    month: date
    currency: str = Field(max_length=3)
    match_key: str = Field(max_length=240)  # "tool:42", or "service:<normalised ServiceName>"
    tool_id: int | None = Field(default=None, foreign_key="tool.id")
    service: str = Field(max_length=200)  # the ServiceName, as the bill spells it
    category: str = Field(max_length=40)  # the ServiceCategory
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    # FOCUS EffectiveCost (amortised), summed like amount_cents; None when the bill had none
    # for some of the rows, and for every row stored before migration 0010.
    effective_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    rows: int = 0
    imported_by: str = Field(max_length=32)
    imported_at: datetime = _utc()


QUEUED = "queued"  # recorded and acked, waiting for a worker
RUNNING = "running"  # claimed by a worker, its work not yet committed
DONE = "done"  # its writes committed with the result; the answer may not have gone yet
ANSWERED = "answered"  # the result went to its response_url
EXPIRED = "expired"  # never finished while its response_url still worked


class SlackCommand(SQLModel, table=True):
    """A `/stack` command, recorded before Slack hears the ack: whichever worker claims the row
    runs it, so an acked command is finished and answered even if the worker that took it dies.
    `claimed_at` is its arrival while it is queued."""

    __tablename__ = "slack_command"
    __table_args__ = (Index("ix_slack_command_status", "status", "claimed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    response_url: str = Field(max_length=500)
    received_at: datetime = _utc()
    status: str = Field(default=RUNNING, max_length=16)
    claimed_at: datetime = _utc()
    attempts: int = 1
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class SlackRequest(SQLModel, table=True):
    """A signed request already served: Slack's signature holds for 5 minutes, so a recording
    of a request would verify again. Signatures, not bodies, are kept."""

    __tablename__ = "slack_request"

    signature: str = Field(primary_key=True, max_length=80)
    received_at: datetime = _utc(index=True)


PENDING = "pending"
APPROVED = "approved"
DECLINED = "declined"  # and EXPIRED, as for commands


class Proposal(SQLModel, table=True):
    """A tool someone asked to buy. It is not in the stack until approved; `values` are the
    columns it would be added with, checked when it was proposed."""

    __table_args__ = (Index("ix_proposal_status", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    name: str = Field(max_length=80)
    name_key: str = Field(max_length=320)
    values: dict[str, Any] = _json(dict)
    why: str | None = Field(default=None, max_length=500)
    status: str = Field(default=PENDING, max_length=16)
    proposed_by: str = Field(max_length=32)
    created_at: datetime = _utc()
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = _utc(nullable=True)
    reason: str | None = Field(default=None, max_length=500)
    tool_id: int | None = Field(default=None, foreign_key="tool.id")
    channel: str | None = Field(default=None, max_length=32)  # where it was posted for review
    ts: str | None = Field(default=None, max_length=32)


class ClockHeartbeat(SQLModel, table=True):
    """The clock's last pass, one row per clock name: what `stackbot health clock` and the
    metrics read to tell a clock that runs from one that hangs or died."""

    __tablename__ = "clock_heartbeat"

    name: str = Field(primary_key=True, max_length=32)
    passed_at: datetime = _utc()
    sent: int = 0
