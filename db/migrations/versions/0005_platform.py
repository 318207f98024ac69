"""A team's word on whether a tool is a platform.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("platform", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tool") as batch:
        batch.drop_column("platform")
