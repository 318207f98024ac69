"""Backup owners and who may own a tool: each bad name a clear answer, nothing changed."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from core.people import Person
from db.engine import session_scope
from db.models import AuditEvent, Tool
from stack import Context, run_command
from tests.conftest import ALICE, NOW, TEAM, Stack
from tests.slack_checks import all_text, assert_valid_message

# What Slack would say about each account (users.info).
PEOPLE = {
    "UGONE": Person("UGONE", deleted=True),
    "UROBOT": Person("UROBOT", bot=True),
    "UGUEST": Person("UGUEST", guest=True),
}


def _as_alice(engine: Engine, command: str) -> tuple[bool, str]:
    context = Context(team_id=TEAM, user_id=ALICE, now=NOW, slack_admin=True, people=PEOPLE)
    reply = run_command(engine, context, command)
    assert_valid_message(reply.message)
    return reply.ok, all_text(reply.message)


def _tools(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Tool).order_by(col(Tool.id))).all()
        return [(t.name, t.owner_id, t.backup_owner_id) for t in rows]


def test_it_keeps_a_backup_owner_and_shows_it_with_the_owner(stack: Stack) -> None:
    stack.ok("add Arize owner:<@UBOB> backup:<@UCAROL>")
    assert "backup <@UCAROL>" in all_text(stack.ok("show Arize").message)
    stack.ok("edit Arize backup:<@UDAN>")
    assert _tools(stack.engine) == [("Arize", "UBOB", "UDAN")]
    assert "backup owner" in all_text(stack.ok("history Arize").message)
    stack.ok("edit Arize backup:none")
    assert _tools(stack.engine) == [("Arize", "UBOB", None)]


def test_it_refuses_a_backup_owner_equal_to_the_owner(stack: Stack) -> None:
    reply = stack("add Arize owner:<@UBOB> backup:<@UBOB>")
    assert reply.code == "backup_is_owner"
    assert _tools(stack.engine) == []
    stack.ok("add Arize owner:<@UBOB> backup:<@UCAROL>")
    assert stack("edit Arize backup:<@UBOB>").code == "backup_is_owner"
    assert stack("edit Arize owner:<@UCAROL>").code == "backup_is_owner"
    assert _tools(stack.engine) == [("Arize", "UBOB", "UCAROL")]


def test_it_refuses_a_bot_a_guest_or_a_leaver_as_owner_and_records_the_attempt(
    engine: Engine,
) -> None:
    for command, code in (
        ("add Arize owner:<@UROBOT>", "is a bot"),
        ("add Arize owner:<@UGONE>", "has left"),
        ("add Arize owner:<@UANA> backup:<@UGUEST>", "is a guest"),
    ):
        ok, text = _as_alice(engine, command)
        assert not ok
        assert code in text, text
    assert _tools(engine) == []
    with session_scope(engine) as session:
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == "refused")).all()
    assert [e.after for e in refused] == [
        {"user": "UROBOT", "role": "owner"},
        {"user": "UGONE", "role": "owner"},
        {"user": "UGUEST", "role": "backup owner"},
    ]


def test_it_sets_escalate_after_for_admins_only(stack: Stack) -> None:
    assert "Overdue reminders before escalating" in all_text(stack.ok("settings").message)
    assert_valid_message(stack.ok("settings").message)
    stack.ok("settings escalate-after 3")
    assert "escalate-after" in all_text(stack.ok("settings").message)
    assert stack("settings escalate-after 0").code == "bad_setting"
    assert stack("settings escalate-after soon").code == "bad_setting"
    assert stack("settings escalate-after 4", user="UBOB").code == "admins_only"
    with session_scope(stack.engine) as session:
        from db.tools import get_workspace

        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        assert workspace.escalate_after == 3
