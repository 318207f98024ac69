"""`copy_store`: a team moved SQLite -> PostgreSQL -> SQLite keeps every row of every table."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

from cli.demo import DEMO_TEAM, run_demo
from core.errors import Rejected
from db import open_store
from db.copy import copy_store, tables
from db.engine import session_scope
from db.tools import get_workspace
from stack import Context, run_command
from stack.billing import import_billing
from stack.loaded import load_stack

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
SAMPLES = Path(__file__).parent.parent / "samples"


def dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text, in a fixed order: what the store shows."""
    shown = {}
    with engine.connect() as connection:
        for table in tables(engine):
            rows = connection.execute(sa.select(table)).all()
            shown[table.name] = sorted(repr(tuple(row)) for row in rows)
    return shown


def rich_store(path: Path) -> Engine:
    """The demo stack, and one of everything else a team accumulates."""
    run_demo(path, now=NOW, out=lambda _: None)
    engine = open_store(f"sqlite:///{path}")
    admin = Context(team_id=DEMO_TEAM, user_id="UMAYA", now=NOW, slack_admin=True)
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=DEMO_TEAM)
        assert workspace is not None
        finding = load_stack(session, workspace, NOW.date()).findings[0]
    for command in (
        "admins add <@ULI>",
        "settings digest-channel <#C0DIGEST|ai-digest>",
        "settings own data,governance",
        f"overlaps accept {finding.id} we keep both for now",
        "propose Qdrant data cost:300/mo because self-hosted vectors",
        "review CoreWeave keep",
        "remove Evidently",
    ):
        assert run_command(engine, admin, command).ok, command
    bill = (SAMPLES / "focus_aws.csv").read_bytes()
    assert import_billing(engine, admin, io.BytesIO(bill), dry_run=False).applied
    SQLAlchemyInstallationStore(client_id="111.222", engine=engine).save(
        Installation(
            app_id="A1",
            team_id=DEMO_TEAM,
            user_id="UMAYA",
            bot_token="xoxb-1",
            bot_id="B1",
            bot_user_id="UBOT",
            installed_at=NOW.timestamp(),
        )
    )
    return engine


def test_a_store_moved_there_and_back_shows_every_row_as_it_was(
    tmp_path: Path, database_url: str
) -> None:
    source = rich_store(tmp_path / "source.db")
    middle = open_store(database_url)  # PostgreSQL, when TEST_DATABASE_URL is set
    back = open_store(f"sqlite:///{tmp_path}/back.db")
    try:
        original = dump(source)
        copied = copy_store(source, middle)
        assert copied == {name: len(rows) for name, rows in original.items()}
        for name in (
            "workspace",
            "tool",
            "audit_event",
            "finding_decision",
            "proposal",
            "review_decision",
            "stack_admin",
            "actual_spend",
            "slack_installations",
        ):
            assert copied[name] > 0, name  # fmt: skip
        assert dump(middle) == original
        copy_store(middle, back)
        assert dump(back) == original
        # The target goes on from there: new rows get ids of their own.
        maya = Context(team_id=DEMO_TEAM, user_id="UMAYA", now=NOW, slack_admin=True)
        assert run_command(middle, maya, "add Chroma data").ok
    finally:
        for engine in (source, middle, back):
            engine.dispose()


def test_it_never_copies_into_a_store_that_holds_a_team(tmp_path: Path) -> None:
    source = rich_store(tmp_path / "source.db")
    target = rich_store(tmp_path / "target.db")
    before = dump(target)
    with pytest.raises(Rejected) as caught:
        copy_store(source, target)
    assert caught.value.code == "copy_target_not_empty"
    assert dump(target) == before
