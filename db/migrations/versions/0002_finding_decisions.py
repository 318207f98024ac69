"""Findings a team accepted as intentional.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "finding_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("finding_id", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workspace_id", "finding_id", name="uq_finding_decision"),
    )
    op.create_index("ix_finding_decision_workspace_id", "finding_decision", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("finding_decision")
