from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.catalog import load_catalog
from core.layers import CAPABILITY_LAYER
from core.stack import StackTool
from db import open_store
from db.engine import make_engine, session_scope
from db.migrate import current, head, upgrade
from db.models import Tool
from db.tools import (
    add_tool,
    ensure_workspace,
    find_tool,
    get_workspace,
    list_history,
    list_tools,
    stack_tools,
    to_stack_tool,
    update_tool,
)
from tests.conftest import ALICE, NOW, OTHER_TEAM, TEAM, Stack


def test_it_migrates_a_new_database_to_the_newest_schema(empty_database_url: str) -> None:
    engine = open_store(empty_database_url)
    assert current(engine) == head()
    tables = set(inspect(engine).get_table_names())
    assert {"workspace", "tool", "audit_event", "alembic_version"} <= tables
    open_store(empty_database_url).dispose()  # a second start changes nothing
    engine.dispose()


def test_it_reads_the_newest_revision_as_alembic_does() -> None:
    from alembic.script import ScriptDirectory

    from db.migrate import _config

    assert head() == ScriptDirectory.from_config(_config()).get_current_head()


def test_it_keeps_existing_rows_through_every_migration(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspace (team_id, timezone, digest_weekday, digest_hour,"
                " reminder_hour, review_leads, dm_owners, skip_empty_digest, owned_layers,"
                " created_at) VALUES ('TOLD', 'UTC', 0, 9, 9, '[60, 30, 7]', false, false,"
                " '[]', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO tool (workspace_id, name, name_key, layers, capabilities, status,"
                " added_by, added_at, updated_at) VALUES (1, 'vLLM', 'vllm', '[2]', '[]',"
                " 'active', 'UALICE', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_event (workspace_id, tool_id, tool_name, actor, action, at)"
                " VALUES (1, 1, 'vLLM', 'UALICE', 'add', '2026-01-01 00:00:00')"
            )
        )
    upgrade(engine)
    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id="TOLD", now=NOW)
        assert workspace.review_leads == [60, 30, 7]
        assert workspace.id is not None
        [tool] = list_tools(session=session, workspace_id=workspace.id)
        assert (tool.name, tool.layers, tool.review_cycle_start) == ("vLLM", [2], None)
        events, total = list_history(session=session, workspace_id=workspace.id)
        assert total == 1
        assert events[0].tool_id == tool.id
    engine.dispose()


def test_it_stores_timestamps_in_utc_and_reads_them_back_aware(engine: Engine) -> None:
    berlin = datetime(2026, 11, 28, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id=TEAM, now=berlin)
    with Session(engine) as session:
        found = ensure_workspace(session=session, team_id=TEAM, now=NOW)
        assert found.id == workspace.id
        assert found.created_at == berlin
        assert found.created_at.tzinfo is not None
        assert found.created_at.utcoffset() == timedelta(0)


def test_it_refuses_a_naive_timestamp(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive"), session_scope(engine) as session:
        ensure_workspace(session=session, team_id=TEAM, now=datetime(2026, 1, 1))  # noqa: DTZ001


def test_it_scopes_every_lookup_to_one_workspace(engine: Engine) -> None:
    with session_scope(engine) as session:
        alpha = ensure_workspace(session=session, team_id=TEAM, now=NOW)
        beta = ensure_workspace(session=session, team_id=OTHER_TEAM, now=NOW)
        assert alpha.id is not None
        assert beta.id is not None
        theirs = add_tool(
            session=session,
            workspace_id=beta.id,
            values={"name": "vLLM", "name_key": "vllm", "layers": [2], "capabilities": []},
            actor=ALICE,
            now=NOW,
        )
        assert find_tool(session=session, workspace_id=alpha.id, name_key="vllm") is None
        assert list_tools(session=session, workspace_id=alpha.id) == []
        with pytest.raises(PermissionError):
            update_tool(
                session=session,
                workspace_id=alpha.id,
                tool=theirs,
                values={"notes": "mine now"},
                actor=ALICE,
                action="edit",
                now=NOW,
            )


def test_it_allows_one_tool_per_name_per_workspace(engine: Engine) -> None:
    values = {"name": "vLLM", "name_key": "vllm", "layers": [2], "capabilities": []}

    def add_twice() -> None:
        with session_scope(engine) as s:
            workspace = ensure_workspace(session=s, team_id=TEAM, now=NOW)
            assert workspace.id is not None
            for _ in range(2):
                add_tool(session=s, workspace_id=workspace.id, values=values, actor=ALICE, now=NOW)

    with pytest.raises(IntegrityError):
        add_twice()
    with Session(engine) as session:
        assert session.exec(select(Tool)).all() == []  # the failed transaction left nothing


def test_it_runs_sqlite_in_wal_mode_with_immediate_transactions(tmp_path: object) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/wal.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with session_scope(engine) as session:
        ensure_workspace(session=session, team_id=TEAM, now=datetime.now(UTC))
    engine.dispose()
    assert "BEGIN IMMEDIATE" in statements


def test_it_reads_without_taking_the_write_lock(tmp_path: object) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/read.db")
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with session_scope(engine, write=False) as session:
        list_tools(session=session, workspace_id=1)
    engine.dispose()
    assert "BEGIN DEFERRED" in statements
    assert "BEGIN IMMEDIATE" not in statements


def test_it_claims_a_delivery_key_once(engine: Engine) -> None:
    from db.deliveries import claim

    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id=TEAM, now=NOW)
        assert workspace.id is not None
        first = claim(
            session=session, workspace_id=workspace.id, key="k", kind="digest", period="p", now=NOW
        )
        again = claim(
            session=session, workspace_id=workspace.id, key="k", kind="digest", period="p", now=NOW
        )
    assert first is not None
    assert again is None


def test_it_claims_a_slack_event_once(engine: Engine) -> None:
    from db.admins import claim_event

    with session_scope(engine) as session:
        assert claim_event(session=session, event_id="Ev1", now=NOW)
        assert not claim_event(session=session, event_id="Ev1", now=NOW)


def test_it_brings_untouched_catalog_tools_to_the_new_catalog_facts(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0004")
    old_sagemaker = '["model-serving", "model-registry", "model-monitoring", "drift-detection"]'
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspace (team_id, timezone, digest_weekday, digest_hour,"
                " reminder_hour, review_leads, dm_owners, skip_empty_digest, owned_layers,"
                " created_at) VALUES ('TOLD', 'UTC', 0, 9, 9, '[60, 30, 7]', false, false,"
                " '[]', '2026-01-01 00:00:00')"
            )
        )
        for name, key, layers, caps in (
            # As the old catalog registered it, kept to three layers by `layer:`.
            ("Amazon SageMaker", "amazon-sagemaker", "[2, 5, 6]", old_sagemaker),
            # A team's own word: a capability the old catalog never listed for MLflow.
            ("MLflow", "mlflow", "[3, 4]", '["experiment-tracking", "feature-store"]'),
        ):
            connection.execute(
                text(
                    "INSERT INTO tool (workspace_id, name, name_key, catalog_key, layers,"
                    " capabilities, status, added_by, added_at, updated_at) VALUES (1, :name,"
                    " :key, :key, :layers, :caps, 'active', 'UALICE', '2026-01-01 00:00:00',"
                    " '2026-01-01 00:00:00')"
                ),
                {"name": name, "key": key, "layers": layers, "caps": caps},
            )
    upgrade(engine)
    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id="TOLD", now=NOW)
        assert workspace.id is not None
        tools = {t.name: t for t in list_tools(session=session, workspace_id=workspace.id)}
    entry = load_catalog().by_key["amazon-sagemaker"]
    assert tools["Amazon SageMaker"].capabilities == [
        c for c in entry.capabilities if CAPABILITY_LAYER[c] in (2, 5, 6)
    ]
    assert "model-monitoring" not in tools["Amazon SageMaker"].capabilities  # closed by AWS
    assert tools["MLflow"].capabilities == ["experiment-tracking", "feature-store"]
    assert tools["MLflow"].platform is None
    engine.dispose()


def test_the_fast_reader_gives_the_analysis_what_the_row_reader_does(engine: Engine) -> None:
    """db.tools.stack_tools (a plain SELECT) and to_stack_tool (from a row) read every field of
    StackTool alike, so a field added to one is never missing from the other."""
    stack = Stack(engine)
    stack.ok("/stack add CoreWeave cost:42k/mo owner:<@UMAYA> renews:2027-03-01 notice:60")
    stack.ok('/stack add "Feature Hub" data caps:feature-store sourcing:build')
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=stack.team)
        assert workspace is not None
        assert workspace.id is not None
        fast = stack_tools(session=session, workspace_id=workspace.id)
        rows = list_tools(session=session, workspace_id=workspace.id)
        assert fast == [to_stack_tool(t) for t in rows]
    assert set(StackTool.__dataclass_fields__) >= {"renews_on", "notice_days"}
    assert fast[0].renews_on is not None
