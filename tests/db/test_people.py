"""Owners who leave: their tools lose them once, audited, and the analysis says who it was."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from core.analysis import analyse
from core.people import Person, cannot_own, person_from_slack
from db.engine import session_scope
from db.models import AuditEvent, Tool
from db.people import orphan_tools
from db.tools import get_workspace
from stack.loaded import workspace_tools
from tests.conftest import ALICE, BOB, NOW, TEAM, Stack


def _orphan(engine: Engine, user: str) -> list[str]:
    with session_scope(engine) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        assert workspace.id is not None
        return [t.name for t in orphan_tools(
            session=session, workspace_id=workspace.id, user_id=user, now=NOW
        )]  # fmt: skip


def test_it_orphans_a_leavers_tools_once_and_records_who_left(stack: Stack) -> None:
    stack.ok("add Arize owner:<@UBOB> backup:<@UCAROL>")
    stack.ok("add MLflow owner:<@UCAROL> backup:<@UBOB>")
    stack.ok("add Pinecone owner:<@UALICE>")
    assert _orphan(stack.engine, BOB) == ["Arize"]
    assert _orphan(stack.engine, BOB) == []  # a second event changes nothing
    with session_scope(stack.engine) as session:
        tools = {t.name: t for t in session.exec(select(Tool)).all()}
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert (tools["Arize"].owner_id, tools["Arize"].former_owner_id) == (None, BOB)
    assert tools["Arize"].backup_owner_id == "UCAROL"
    assert tools["MLflow"].backup_owner_id is None  # Bob no longer backs it up either
    assert tools["Pinecone"].owner_id == ALICE
    assert [e.action for e in events if e.actor == BOB] == ["owner-left", "backup-left"]


def test_it_says_the_owner_left_and_who_under_the_same_finding_id(stack: Stack) -> None:
    stack.ok("add Arize owner:<@UBOB>")
    _orphan(stack.engine, BOB)
    with session_scope(stack.engine) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        tools = workspace_tools(session, workspace)
    [finding] = [f for f in analyse(tools, today=NOW.date()) if f.id.startswith("owner-t")]
    assert finding.rule == "owner-left"
    assert "UBOB" in finding.reason
    assert "left" in finding.reason
    shown = str(stack.ok("show Arize").message["blocks"])
    assert "<@UBOB> left" in shown
    stack.ok("edit Arize owner:<@UALICE>")
    shown = str(stack.ok("show Arize").message["blocks"])
    assert "left" not in shown


def test_it_tells_which_accounts_cannot_own_a_tool() -> None:
    assert cannot_own(None) is None
    assert cannot_own(Person("UANA")) is None
    assert cannot_own(person_from_slack({"id": "U1", "deleted": True})) == "owner_left_slack"
    assert cannot_own(person_from_slack({"id": "U1", "is_forgotten": True})) == "owner_left_slack"
    assert cannot_own(person_from_slack({"id": "B1", "is_bot": True})) == "owner_is_bot"
    assert cannot_own(person_from_slack({"id": "USLACKBOT"})) == "owner_is_bot"
    assert cannot_own(person_from_slack({"id": "U2", "is_restricted": True})) == "owner_is_guest"
    assert cannot_own(person_from_slack({"id": "U3", "is_ultra_restricted": True})) == (
        "owner_is_guest"
    )
