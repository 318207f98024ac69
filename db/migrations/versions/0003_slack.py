"""Slack: stack admins, handled events, and slack_sdk's installation and OAuth state tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# slack_sdk owns these tables' shape; they are created from its own definitions, as they were
# in the slack_sdk this revision was written against (3.48).
SLACK_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")


def _slack_metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def upgrade() -> None:
    op.create_table(
        "stack_admin",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_stack_admin"),
    )
    op.create_index("ix_stack_admin_workspace_id", "stack_admin", ["workspace_id"])
    op.create_table(
        "slack_event",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_slack_event_received_at", "slack_event", ["received_at"])
    _slack_metadata().create_all(op.get_bind())


def downgrade() -> None:
    _slack_metadata().drop_all(op.get_bind())
    op.drop_table("slack_event")
    op.drop_table("stack_admin")
