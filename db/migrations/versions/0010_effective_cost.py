"""Bills: FOCUS EffectiveCost kept beside BilledCost in actual spend (issue 22).

Nullable, so the rows earlier imports stored keep working: they have no effective cost until
their months are imported again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actual_spend") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("effective_cents", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actual_spend") as batch:
        batch.drop_column("effective_cents")
