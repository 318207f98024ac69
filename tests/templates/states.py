"""Stacks in each state a template can show, built the way a team builds them: /stack commands
through run_command against a real SQLite store, and the clock's own passes against the
loopback Slack.

Names, notes, vendors and reasons are full of characters that mean something in mrkdwn (`*`,
`_`, `~`, backticks, `&`, `<`, `>`), so every state also tests escaping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import Engine
from sqlmodel import select

import templates.render
from bot.outbound import Directory
from core.text import normalise
from db import open_store
from db.engine import session_scope
from db.models import Tool
from db.tools import add_tool, ensure_workspace, get_workspace
from jobs.digest import run_digests
from jobs.reviews import run_reviews
from stack import Context, Reply
from stack.forms.review import claim_tool
from stack.letters import Letter
from stack.loaded import load_stack
from tests.conftest import ALICE, BOB, NOW, TEAM, FakeClock, Stack
from tests.fake_slack import FakeSlack, error

# Names that combine with stackbot's own formatting unless it is kept apart from them.
TRICKY = ("*bold*", "_x_", "~y~", "`z`", "a*b", "snake_case_db")
NOTES = "our *own* _fork_ of ~it~, see `docs` & <https://x.test|the plan> <!channel>"


@dataclass
class Built:
    """A stack in one state, and everything its building said."""

    stack: Stack
    focus: str | None = None  # the tool the state is about: shown, edited, reviewed
    replies: list[Reply] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)  # the reminders due now (dry run)
    rendered: set[str] = field(default_factory=set)  # templates building it rendered

    def run(self, command: str, *, user: str = ALICE) -> Reply:
        reply = self.stack.ok(command, user=user)
        self.replies.append(reply)
        return reply

    def context(self, user: str = ALICE) -> Context:
        return Context(
            team_id=self.stack.team,
            user_id=user,
            now=self.stack.now,
            slack_admin=user == ALICE,
        )

    def findings(self) -> list[str]:
        with session_scope(self.stack.engine, write=False) as session:
            workspace = get_workspace(session=session, team_id=self.stack.team)
            assert workspace is not None
            today = self.context().today(workspace)
            return [f.id for f in load_stack(session, workspace, today).findings]


@contextmanager
def recording(into: set[str]) -> Iterator[None]:
    """Notes the name of every template rendered inside."""
    original = templates.render._render

    def spy(template: str, max_blocks: int, context: dict[str, Any]) -> dict[str, Any]:
        into.add(template)
        return original(template, max_blocks, context)

    with mock.patch.object(templates.render, "_render", spy):
        yield


def _in(days: int) -> str:
    return (NOW.date() + timedelta(days=days)).isoformat()


def empty(built: Built) -> None:
    """A workspace that has typed nothing yet."""


def nothing_due(built: Built) -> None:
    built.run("add vLLM owner:<@UBOB> cost:1500/mo", user=BOB)
    built.run(f'add "{TRICKY[0]}" data sourcing:build owner:<@UBOB> notes:{NOTES}', user=BOB)
    built.run('add "Feature_Hub_v2" data vendor:"A*B_C" owner:<@UALICE>')
    built.focus = TRICKY[0]


def due(built: Built) -> None:
    """Reviews 7 days and 1 day off, of tools added two months ago (so their reminders' lead
    times have come): renewals with and without notice."""
    built.stack.now = NOW - timedelta(days=60)
    built.run("settings digest-channel <#CDIGEST|ai-infra>")
    built.run(f'add "{TRICKY[1]}" data cost:2400/mo owner:<@UBOB> renews:{_in(37)} notice:30')
    built.run(f'add "{TRICKY[4]}" inference cost:EUR 900/month renews:{_in(1)}')
    built.run("add Pinecone owner:<@UALICE>")
    built.stack.now = NOW
    built.focus = TRICKY[1]


def overdue(built: Built) -> None:
    """Tools added 400 days ago and never reviewed; the clock has run, and some posts failed."""
    built.stack.now = NOW - timedelta(days=400)
    built.run("settings digest-channel <#CDIGEST|ai-infra>")
    built.run(f'add "{TRICKY[2]}" training owner:<@UBOB> channel:<#CGONE|gone> cost:14k/yr')
    built.run(f'add "{TRICKY[3]}" observability channel:<#CBAD|bad>')
    built.run("add Arize notes:_nobody_ owns *this*")
    built.stack.now = NOW
    built.focus = TRICKY[2]
    with FakeSlack(team_id=TEAM) as slack:
        slack.script_for_channel("CGONE", error("channel_not_found"))
        slack.script_for_channel("CBAD", error("invalid_blocks"))
        clock = FakeClock()
        directory = Directory(base_url=slack.url, token="xoxb-test", clock=clock, sleep=clock.sleep)
        built.letters = _letters(built)
        run_reviews(built.stack.engine, directory, NOW, team_id=TEAM)
        run_digests(built.stack.engine, directory, NOW, team_id=TEAM)


def decided(built: Built) -> None:
    """Reviews decided every way, a finding accepted and another reopened, settings changed."""
    built.run(f'add "{TRICKY[5]}" data renews:{_in(20)} notice:10 owner:<@UBOB>')
    built.run(f'add "{TRICKY[0]}" data caps:vector-search renews:{_in(15)}')
    built.run(f'add "{TRICKY[3]}" data caps:vector-search renews:{_in(12)}')
    built.run("add Qdrant caps:vector-search renews:" + _in(11))
    built.run(f'review "{TRICKY[5]}" keep still *the* best _by far_', user=BOB)
    built.run(f'review "{TRICKY[0]}" snooze 30 budget ~later~')
    built.run("review Qdrant retire")
    built.run(f'review "{TRICKY[3]}" renegotiate')
    # A platform with side features, a backup owner and a pending cancel-by: `show Databricks`.
    built.run(f"add Databricks owner:<@UALICE> backup:<@UBOB> renews:{_in(40)} notice:30")
    built.run("add MLflow mlops")
    built.run("review Databricks replace moving to our own cluster")
    built.run(f'edit "{TRICKY[5]}" cost:1,200/mo vendor:"Snake_Co" notes:{NOTES}', user=BOB)
    ids = built.findings()
    built.run(f"overlaps accept {ids[0]} two *on* purpose `really`")
    built.run(f"overlaps accept {ids[1]} for now")
    built.run(f"overlaps reopen {ids[1]}")
    built.run("settings own data,governance")
    built.run("settings timezone Europe/Berlin")
    built.run("settings dm-owners on")
    built.run("admins add <@UBOB|bob>")
    built.run("admins remove <@UBOB|bob>")
    built.focus = TRICKY[5]


def no_owner(built: Built) -> None:
    """Tools nobody owns, added a month ago: one due tomorrow, one due today, and one taken
    with "I own this"."""
    built.stack.now = NOW - timedelta(days=30)
    built.run(f'add "{TRICKY[4]}" governance renews:{_in(1)}', user=BOB)
    built.run(f'add "Acme_<Gov>" governance renews:{_in(0)} vendor:"*Acme*"', user=BOB)
    built.run(f'add "{TRICKY[2]}" governance renews:{_in(3)}', user=BOB)
    built.stack.now = NOW
    with session_scope(built.stack.engine, write=False) as session:
        taken = session.exec(select(Tool).where(Tool.name == TRICKY[2])).one()
    button = json.dumps({"tool": taken.id, "due": str(taken.next_review_on)})
    claimed = claim_tool(built.stack.engine, built.context(BOB), button)
    built.replies.append(claimed.reply)
    if claimed.reminder is not None:  # the reminder as "I own this" updates it in place
        built.replies.append(Reply(claimed.reminder))
    built.focus = TRICKY[4]


def retired(built: Built) -> None:
    built.run(f'add "{TRICKY[3]}" inference notes:{NOTES}')
    built.run("add TorchServe inference")
    built.run(f'remove "{TRICKY[3]}"')
    built.run("remove TorchServe")
    built.run("add TorchServe")  # brought back
    built.focus = TRICKY[3]


def big(built: Built) -> None:
    """500 tools with long names full of characters to escape, written straight to the store
    (the listing limits are what is tested); one added by command."""
    built.run(f'add "{TRICKY[0]}" data owner:<@UBOB> renews:{_in(5)}')
    stack = built.stack
    with session_scope(stack.engine) as session:
        workspace = ensure_workspace(session=session, team_id=stack.team, now=stack.now)
        assert workspace.id is not None
        for n in range(500):
            name = f"<b>*T_{n:03d}*</b> & ~`x`~ " + "ü" * 50
            add_tool(
                session=session,
                workspace_id=workspace.id,
                values={"name": name, "name_key": normalise(name), "layers": [n % 7 + 1],
                        "capabilities": [], "owner_id": "UALICE" if n % 3 else None,
                        "cost_cents": 100_00 + n, "cost_currency": "USD", "cost_period": "month",
                        "vendor": "*V*_" * 10, "notes": NOTES,
                        "next_review_on": NOW.date() + timedelta(days=n % 40 - 10)},
                actor=ALICE,
                now=stack.now,
            )  # fmt: skip
    built.focus = TRICKY[0]


STATES: dict[str, Callable[[Built], None]] = {
    "empty": empty,
    "nothing_due": nothing_due,
    "due": due,
    "overdue": overdue,
    "decided": decided,
    "no_owner": no_owner,
    "retired": retired,
    "big": big,
}


def build(state: str, directory: Path) -> Built:
    engine: Engine = open_store(f"sqlite:///{directory}/stack.db")
    built = Built(Stack(engine))
    with recording(built.rendered):
        STATES[state](built)
        if not built.letters:
            built.letters = _letters(built)
    return built


def _letters(built: Built) -> list[Letter]:
    """The reminders the clock would send now, as the clock builds them."""
    letters: list[Letter] = []
    unused = Directory(base_url="http://127.0.0.1:9/", token="xoxb-unused")
    run_reviews(built.stack.engine, unused, built.stack.now, team_id=TEAM, dry_run=letters.append)
    return letters
