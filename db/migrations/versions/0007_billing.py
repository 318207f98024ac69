"""Bills: a tool's billing match rule, and actual spend per provider, month, currency and tool.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("billing_match", sa.String(200), nullable=True))
    op.create_table(
        "actual_spend",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("provider", sa.String(80), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("match_key", sa.String(240), nullable=False),
        sa.Column("tool_id", sa.Integer(), sa.ForeignKey("tool.id"), nullable=True),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(32), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "workspace_id", "provider", "month", "currency", "match_key", name="uq_actual_spend"
        ),
    )
    op.create_index("ix_actual_spend_month", "actual_spend", ["workspace_id", "month"])


def downgrade() -> None:
    op.drop_index("ix_actual_spend_month", table_name="actual_spend")
    op.drop_table("actual_spend")
    with op.batch_alter_table("tool") as batch:
        batch.drop_column("billing_match")
