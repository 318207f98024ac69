"""Migration 0010 (issue 22) adds EffectiveCost to actual spend; the rows stored before it keep
working, with no effective cost until their months are imported again."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.spend import month_spend
from db.tools import ensure_workspace


def test_rows_stored_before_migration_0010_keep_working(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0009")
        with session_scope(engine) as session:
            workspace = ensure_workspace(
                session=session, team_id="T1", now=datetime(2026, 11, 1, tzinfo=UTC)
            )
            workspace_id = workspace.id
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO actual_spend (workspace_id, provider, month, currency, "
                    "match_key, service, category, amount_cents, rows, imported_by, imported_at)"
                    " VALUES (:w, 'AWS', '2026-10-01', 'USD', 'service:x', 'X', "
                    "'AI and Machine Learning', 12345, 1, 'U1', '2026-11-01 00:00:00')"
                ),
                {"w": workspace_id},
            )
        upgrade(engine)
        with session_scope(engine, write=False) as session:
            spend = month_spend(session=session, workspace_id=workspace_id or 0)
            assert spend is not None
            assert spend.month == date(2026, 10, 1)
            assert [(u.service, u.amount) for u in spend.unclaimed] == [("X", Decimal("123.45"))]
        with engine.connect() as connection:
            found = connection.execute(text("SELECT effective_cents FROM actual_spend")).all()
        assert [tuple(row) for row in found] == [(None,)]
    finally:
        engine.dispose()
