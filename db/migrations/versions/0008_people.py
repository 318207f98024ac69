"""People: backup owners, owners who left, escalation after unanswered reminders, and proposals.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("backup_owner_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("former_owner_id", sa.String(32), nullable=True))
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("escalate_after", sa.Integer(), nullable=False, server_default="2")
        )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(320), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("why", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("tool_id", sa.Integer(), sa.ForeignKey("tool.id"), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
    )
    op.create_index("ix_proposal_workspace_id", "proposal", ["workspace_id"])
    op.create_index("ix_proposal_status", "proposal", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_proposal_status", table_name="proposal")
    op.drop_index("ix_proposal_workspace_id", table_name="proposal")
    op.drop_table("proposal")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("escalate_after")
    with op.batch_alter_table("tool") as batch:
        batch.drop_column("former_owner_id")
        batch.drop_column("backup_owner_id")
