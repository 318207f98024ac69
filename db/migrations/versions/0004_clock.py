"""The clock: delivery records, review decisions, and when each tool's review cycle began.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("review_cycle_start", UTCDateTime(), nullable=True))
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tool_id", sa.Integer(), sa.ForeignKey("tool.id"), nullable=True),
        sa.Column("period", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.UniqueConstraint("workspace_id", "key", name="uq_delivery_key"),
    )
    op.create_index("ix_delivery_workspace_id", "delivery", ["workspace_id"])
    op.create_index("ix_delivery_status", "delivery", ["status", "claimed_at"])
    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("tool_id", sa.Integer(), sa.ForeignKey("tool.id"), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("decided_by", sa.String(32), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_review_decision_workspace_id", "review_decision", ["workspace_id"])
    op.create_index("ix_review_decision_tool_id", "review_decision", ["tool_id"])


def downgrade() -> None:
    op.drop_table("review_decision")
    op.drop_table("delivery")
    with op.batch_alter_table("tool") as batch:
        batch.drop_column("review_cycle_start")
