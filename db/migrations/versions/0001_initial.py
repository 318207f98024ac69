"""The first tables: workspaces, tools and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("digest_channel", sa.String(32), nullable=True),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("review_channel", sa.String(32), nullable=True),
        sa.Column("reminder_hour", sa.Integer(), nullable=False),
        sa.Column("review_leads", sa.JSON(), nullable=False),
        sa.Column("dm_owners", sa.Boolean(), nullable=False),
        sa.Column("skip_empty_digest", sa.Boolean(), nullable=False),
        sa.Column("owned_layers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "tool",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(320), nullable=False),
        sa.Column("catalog_key", sa.String(64), nullable=True),
        sa.Column("layers", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("vendor", sa.String(80), nullable=True),
        sa.Column("sourcing", sa.String(16), nullable=True),
        sa.Column("cost_cents", sa.BigInteger(), nullable=True),
        sa.Column("cost_currency", sa.String(3), nullable=True),
        sa.Column("cost_period", sa.String(8), nullable=True),
        sa.Column("owner_id", sa.String(32), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("renews_on", sa.Date(), nullable=True),
        sa.Column("notice_days", sa.Integer(), nullable=True),
        sa.Column("last_review_on", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("notes", sa.String(1000), nullable=True),
        sa.Column("added_by", sa.String(32), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("workspace_id", "name_key", name="uq_tool_name"),
    )
    op.create_index("ix_tool_workspace_id", "tool", ["workspace_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("tool_id", sa.Integer(), sa.ForeignKey("tool.id"), nullable=True),
        sa.Column("tool_name", sa.String(80), nullable=True),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_audit_workspace_at", "audit_event", ["workspace_id", "at"])
    op.create_index("ix_audit_event_tool_id", "audit_event", ["tool_id"])


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("tool")
    op.drop_table("workspace")
