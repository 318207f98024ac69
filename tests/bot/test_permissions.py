"""Permissions fail closed: a member is refused every admin-only command and button, the store
keeps every row as it was but the audit of the attempt, and nobody is an admin unless someone
who knows says so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, text

from core.preferences import SETTINGS
from core.reviews import DECISIONS
from stack import Context, run_command
from stack.forms.review import submit_review_form
from stack.forms.tool import ToolForm, submit_tool_form
from tests.conftest import ALICE, BOB, Stack
from tests.slack_checks import all_text, assert_valid_message

TABLES = ("workspace", "tool", "stack_admin", "review_decision", "finding_decision", "delivery")
DANA = "UDANA"  # named a stack admin by Alice with /stack admins add
ONLY_ADMINS = "Only stack admins can {what}.\nAsk a workspace admin"
NOT_OWNER = "Only *Vector DB*’s owner (<@UALICE>) or a stack admin can {what} it."


def dump(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as connection:
        return {
            table: [
                tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in TABLES
        }


def audit(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        query = "SELECT actor, action, after FROM audit_event ORDER BY id"
        return [tuple(r) for r in connection.execute(text(query))]


@pytest.fixture
def stack(stack: Stack) -> Stack:
    """Alice's tool with a review due in ten days, another nobody owns that she added, and
    Dana named a stack admin."""
    stack.ok('add "Vector DB" data owner:<@UALICE> renews:2026-12-18 notice:10')
    stack.ok('add "Unowned Tool" inference')
    stack.ok(f"admins add <@{DANA}|dana>")
    return stack


def _setting_value(name: str) -> str:
    return "<#CNEW|new>" if name.endswith("-channel") else SETTINGS[name].example


ADMIN_ONLY = [
    *[
        (f"settings {name} {_setting_value(name)}", ONLY_ADMINS.format(what="change settings"))
        for name in SETTINGS
    ],
    (f"admins add <@{BOB}|bob>", ONLY_ADMINS.format(what="name stack admins")),
    (f"admins remove <@{DANA}|dana>", ONLY_ADMINS.format(what="name stack admins")),
    ('edit "Vector DB" cost:1/mo', NOT_OWNER.format(what="edit")),
    ('edit "Vector DB" owner:<@UBOB|bob>', NOT_OWNER.format(what="edit")),
    ('edit "Vector DB" name:"Bob DB"', NOT_OWNER.format(what="edit")),
    ('remove "Vector DB"', NOT_OWNER.format(what="remove")),
    *[
        (f'review "Vector DB" {decision}', NOT_OWNER.format(what="decide the review of"))
        for decision in ("keep", "renegotiate", "replace", "retire", "snooze", "snooze 30")
    ],
    ('edit "Unowned Tool" owner:<@UBOB|bob>', "Only *Unowned Tool*’s owner (<@UALICE>)"),
    ('remove "Unowned Tool"', "Only *Unowned Tool*’s owner (<@UALICE>)"),
]


@pytest.mark.parametrize(("command", "refusal"), ADMIN_ONLY, ids=[c for c, _ in ADMIN_ONLY])
def test_it_refuses_a_member_every_admin_only_command(
    stack: Stack, engine: Engine, command: str, refusal: str
) -> None:
    before, audited = dump(engine), audit(engine)
    member = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=False)
    reply = run_command(engine, member, command)
    assert not reply.ok
    assert not reply.public  # a refusal is said to the person, not the channel
    assert_valid_message(reply.message)
    assert refusal in all_text(reply.message)
    assert "This attempt was recorded" in all_text(reply.message)
    assert dump(engine) == before
    attempts = audit(engine)[len(audited) :]
    assert [(actor, action) for actor, action, _ in attempts] == [(BOB, "refused")]


@pytest.mark.parametrize("who", ["slack admin", "named admin"])
@pytest.mark.parametrize("command", [c for c, _ in ADMIN_ONLY])
def test_it_lets_slack_and_named_admins_do_them(
    stack: Stack, engine: Engine, command: str, who: str
) -> None:
    if who == "slack admin":
        context = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=True)
    else:
        context = Context(team_id=stack.team, user_id=DANA, now=stack.now)
    reply = run_command(engine, context, command)
    assert reply.ok, all_text(reply.message)


def test_it_trusts_nobody_that_nobody_vouched_for(stack: Stack, engine: Engine) -> None:
    # A Context built without saying whether the person is a Slack admin: not an admin.
    unknown = Context(team_id=stack.team, user_id=BOB, now=stack.now)
    before = dump(engine)
    for command in (
        "settings timezone Asia/Tokyo",
        f"admins add <@{BOB}|bob>",
        'remove "Vector DB"',
    ):
        assert run_command(engine, unknown, command).code in ("admins_only", "not_owner")
    assert dump(engine) == before


def test_it_lets_a_member_change_what_they_own(stack: Stack, engine: Engine) -> None:
    stack.ok('add "Bob Tool" data', user=BOB)
    member = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=False)
    for command in ('edit "Bob Tool" cost:5/mo', 'review "Bob Tool" keep', 'remove "Bob Tool"'):
        assert run_command(engine, member, command).ok, command


def test_it_refuses_a_member_the_review_buttons_of_a_tool_they_do_not_own(
    stack: Stack, engine: Engine
) -> None:
    before, audited = dump(engine), len(audit(engine))
    member = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=False)
    for decision in DECISIONS:
        metadata = json.dumps(
            {"tool": "Vector DB", "due": "2026-12-08", "decision": decision, "channel": "C1"}
        )
        outcome = submit_review_form(engine, member, metadata, "because")
        assert outcome.reply is None
        assert "owner" in outcome.errors["reason"], outcome.errors
    assert dump(engine) == before
    assert [a[:2] for a in audit(engine)[audited:]] == [(BOB, "refused")] * len(DECISIONS)


def test_it_refuses_a_member_the_edit_form_of_a_tool_they_do_not_own(
    stack: Stack, engine: Engine
) -> None:
    before, audited = dump(engine), len(audit(engine))
    member = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=False)
    form = ToolForm(name="Vector DB", layers=("data",), cost="1", owner=BOB)
    outcome = submit_tool_form(engine, member, form, json.dumps({"tool": "Vector DB"}))
    assert outcome.reply is None
    assert "owner" in outcome.errors["name"]
    assert dump(engine) == before
    assert [a[:2] for a in audit(engine)[audited:]] == [(BOB, "refused")]


def test_it_shows_refusals_in_the_history(stack: Stack, engine: Engine) -> None:
    member = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=False)
    run_command(engine, member, 'remove "Vector DB"')
    assert stack.ok('show "Vector DB"').message["blocks"]  # still there
    history = all_text(stack.ok("history").message)
    assert "<@UBOB> was refused" in history


@pytest.mark.parametrize(
    ("cost", "currency", "field_text"),
    [("2.400", "USD", "2400 or 2.40"), ("¥ 5000", "USD", "JPY"), ("500", "USD", None)],
)
def test_the_form_puts_an_amount_read_two_ways_under_its_cost_field(
    stack: Stack, engine: Engine, cost: str, currency: str, field_text: str | None
) -> None:
    before = dump(engine)
    form = ToolForm(name="Qdrant", layers=("data",), cost=cost, currency=currency)
    admin = Context(team_id=stack.team, user_id=ALICE, now=stack.now, slack_admin=True)
    outcome = submit_tool_form(engine, admin, form, json.dumps({"tool": None}))
    if field_text is None:
        assert outcome.errors == {}
        return
    assert set(outcome.errors) == {"cost"}
    assert field_text in outcome.errors["cost"]
    assert dump(engine) == before
