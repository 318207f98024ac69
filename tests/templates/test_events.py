"""What changed, in plain words with a person's name: every action the store records has its
own words in the history and the digest, refusals stay out of the team channel, the terminal's
default user is no mention, and the week is written as people read it."""

from __future__ import annotations

import ast
import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.people import TERMINAL_USER
from db.engine import session_scope
from db.tools import get_workspace
from stack import Context
from stack.digest import build_digest
from stack.transfer import import_stack
from templates.render import render
from tests.conftest import BOB, Stack
from tests.slack_checks import all_text, assert_message_reads

ROOT = Path(__file__).parents[2]


def recorded_actions() -> set[str]:
    """Every action string the code records in the audit log: passed as `action=`, defaulted
    as `action: str = "add"`, or named as a module constant."""
    found = {"proposal-approved", "proposal-declined"}  # f"proposal-{status}"
    for room in ("stack", "db", "jobs"):
        for path in (ROOT / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                values: list[ast.expr | None] = []
                if isinstance(node, ast.keyword) and node.arg == "action":
                    values = [node.value]
                elif isinstance(node, ast.Assign):
                    names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                    values = [node.value] if names & {"ACTION", "LEFT", "BACKUP_LEFT"} else []
                elif isinstance(node, ast.arguments):
                    positional = [*node.posonlyargs, *node.args]
                    named = positional[len(positional) - len(node.defaults) :]
                    pairs: list[tuple[ast.arg, ast.expr | None]] = [
                        *zip(named, node.defaults, strict=True),
                        *zip(node.kwonlyargs, node.kw_defaults, strict=True),
                    ]
                    values = [default for arg, default in pairs if arg.arg == "action"]
                found |= {
                    v.value
                    for v in values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                }
    return found


AFTER = {
    "accept": {"finding": "dup-x", "reason": "on purpose"},
    "reopen": {"finding": "dup-x"},
    "review": {"decision": "snooze-30", "reason": None, "next_review_on": "2027-01-30"},
    "settings": {"timezone": "Europe/Berlin"},
    "admins": {"add": "UBOB"},
    "import-billing": {"provider": "AWS", "months": ["2026-11"], "rows": 12},
    "pull-costs": {"provider": "OpenAI", "months": ["2026-11", "2026-12"], "rows": 40},
    "refused": {"setting": "timezone"},
    "propose": {"proposal": "WhyLabs", "id": 7},
    "proposal-approved": {"proposal": "WhyLabs", "reason": None},
    "proposal-declined": {"proposal": "WhyLabs", "reason": "we have Arize"},
    "proposal-expired": {"proposal": "WhyLabs"},
}


def test_it_finds_the_actions_the_store_records() -> None:
    assert {"add", "import-add", "import-billing", "refused", "owner-left"} <= recorded_actions()


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_action_reads_as_plain_words(action: str) -> None:
    event = SimpleNamespace(
        action=action, actor="UALICE", tool_name="Arize", after=AFTER.get(action, {}),
        before=None, at=datetime(2026, 12, 7, tzinfo=UTC),
    )  # fmt: skip
    for message in (
        render("history", events=[event], total=1, tool=None, zone="UTC"),
        render("history", events=[event], total=1, tool=SimpleNamespace(name="Arize"), zone="UTC"),
    ):
        shown = all_text(message)
        assert_message_reads(message)
        if "-" in action:  # a code, never a word a person would write
            assert action not in shown, shown
        assert "<@UALICE> " in shown


def test_the_digest_says_what_changed_plainly_and_keeps_refusals_out(stack: Stack) -> None:
    stack.ok("add Arize owner:<@UBOB>")
    refused = stack("settings timezone Europe/Berlin", user=BOB)
    assert not refused.ok
    terminal = Context(team_id=stack.team, user_id=TERMINAL_USER, now=stack.now)
    data = io.BytesIO(b"name,layers\nPinecone,data\n")
    import_stack(stack.engine, terminal, data, dry_run=False, lookup=lambda email: None)
    with session_scope(stack.engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=stack.team)
        assert workspace is not None
        digest = build_digest(session, workspace, now=stack.now, period="2026-W50", previous=None)
    shown = all_text(digest.message)
    assert "<@UALICE> added *Arize*" in shown
    assert "someone at the terminal added *Pinecone* from an imported file" in shown
    for code in ("import-add", "U0LOCAL", "refused", "2026-W50"):
        assert code not in shown, code
    assert "Week of 7 Dec 2026" in shown
    assert_message_reads(digest.message)
