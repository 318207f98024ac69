"""Asking before buying: a proposal shows what the stack already has and the saving at stake,
then waits for a stack admin or an overlapping tool's owner; every bad input a clear answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from db.engine import session_scope
from db.models import AuditEvent, Proposal, Tool
from stack import Context, Reply
from stack.forms.proposal import propose_form, submit_propose_form
from stack.proposals import run_decision
from tests.conftest import ALICE, BOB, NOW, OTHER_TEAM, TEAM, Stack
from tests.slack_checks import all_text, assert_valid_message, assert_valid_view

CAROL = "UCAROL"  # a member who proposes tools and owns none


@pytest.fixture
def stack(engine: Engine) -> Stack:
    stack = Stack(engine)
    stack.ok("settings review-channel <#CREV|reviews>")
    stack.ok("add Arize cost:2500/mo owner:<@UBOB>")
    stack.ok("add Pinecone cost:700/mo owner:<@UDAN>")
    return stack


def _checked(reply: Reply) -> str:
    assert_valid_message(reply.message)
    for post in reply.posts:
        assert_valid_message(post.message)
    return all_text(reply.message)


def _press(engine: Engine, who: str, number: int, *, approve: bool, team: str = TEAM) -> Reply:
    context = Context(team_id=team, user_id=who, now=NOW, slack_admin=who == ALICE)
    reason = None if approve else "Arize already watches drift for us"
    return run_decision(engine, context, number, approve=approve, reason=reason)


def _proposals(engine: Engine) -> list[tuple[str, str, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Proposal).order_by(col(Proposal.id))).all()
        return [(p.name, p.status, p.decided_by) for p in rows]


def _tools(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(t.name for t in session.exec(select(Tool)).all())


def _refusals(engine: Engine) -> list[dict[str, object] | None]:
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "refused")).all()
        return [e.after for e in events]


def test_it_shows_what_the_stack_already_has_and_the_saving_at_stake(stack: Stack) -> None:
    reply = stack.ok("propose WhyLabs cost:1200/mo we need drift alerts", user=CAROL)
    text = _checked(reply)
    assert "*drift-detection*: you already pay for *Arize* ($2,500/mo), owned by <@UBOB>" in text
    assert "WhyLabs would duplicate Arize: $1,200/mo at stake" in text
    assert "not in the stack until approved" in text
    [post] = reply.posts
    assert post.to == "CREV"
    review = all_text(post.message)
    assert "<@UCAROL> proposes *WhyLabs* at $1,200/mo" in review
    assert "Why: we need drift alerts" in review
    assert "(<@UBOB>) can decide" in review
    buttons = [e for b in post.message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["proposal_approve", "proposal_decline"]
    assert _tools(stack.engine) == ["Arize", "Pinecone"]  # not in the stack until approved
    listed = _checked(stack.ok("proposals"))
    assert "1. WhyLabs" in listed


def test_a_tool_that_fills_a_gap_claims_no_saving(stack: Stack) -> None:
    text = _checked(stack.ok("propose Modal cost:900/mo", user=CAROL))
    assert "fills a gap" in text
    assert "at stake" not in text
    # GPU clouds are billed by use: another one doing the same jobs moves the bill, saves none.
    stack.ok("add Lambda Labs cost:3000/mo")
    text = _checked(stack.ok('propose "GPU Hut" caps:gpu-compute cost:5000/mo', user=CAROL))
    assert "Lambda already does all of its main jobs; billed by use" in text
    assert "at stake" not in text


def test_an_owner_of_an_overlapping_tool_approves_and_the_tool_is_added(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo owner:<@UCAROL> drift alerts", user=CAROL)
    reply = _press(stack.engine, BOB, 1, approve=True)
    assert reply.ok
    assert "was approved by <@UBOB>" in _checked(reply)
    [told] = reply.posts
    assert told.to == CAROL
    assert "Your proposal of *WhyLabs* was approved" in all_text(told.message)
    assert _proposals(stack.engine) == [("WhyLabs", "approved", BOB)]
    assert "owner <@UCAROL>" in all_text(stack.ok("list").message)
    history = all_text(stack.ok("history WhyLabs").message)
    assert "<@UBOB>" in history
    # Approving twice changes nothing, says so, and is recorded.
    again = _press(stack.engine, ALICE, 1, approve=True)
    assert again.code == "proposal_settled"
    assert "approved already by <@UBOB>" in _checked(again)
    assert _tools(stack.engine) == ["Arize", "Pinecone", "WhyLabs"]


def test_a_member_who_owns_nothing_it_overlaps_cannot_decide(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo", user=CAROL)
    for who in ("UDAN", CAROL):  # Dan owns Pinecone, which WhyLabs does not overlap
        reply = _press(stack.engine, who, 1, approve=True)
        assert reply.code == "not_decider"
        assert "Only stack admins and the owners" in _checked(reply)
    assert _proposals(stack.engine) == [("WhyLabs", "pending", None)]
    assert _tools(stack.engine) == ["Arize", "Pinecone"]
    assert _refusals(stack.engine) == [{"name": "WhyLabs"}, {"name": "WhyLabs"}]


def test_an_admin_declines_with_a_reason_and_the_proposer_hears_why(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo", user=CAROL)
    reply = _press(stack.engine, ALICE, 1, approve=False)
    assert reply.ok
    assert "declined by <@UALICE>" in _checked(reply)
    [told] = reply.posts
    assert told.to == CAROL
    assert "Why: Arize already watches drift for us" in all_text(told.message)
    assert _tools(stack.engine) == ["Arize", "Pinecone"]
    assert stack("proposals decline 1", user=ALICE).code == "proposal_settled"
    history = _checked(stack.ok("history"))
    assert "declined the proposal of *WhyLabs*: Arize already watches drift for us" in history
    assert "<@UCAROL> proposed *WhyLabs* (proposal 1)" in history


def test_a_decline_needs_a_reason(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo", user=CAROL)
    reply = stack("proposals decline 1")
    assert reply.code == "empty_decline_reason"
    assert _proposals(stack.engine) == [("WhyLabs", "pending", None)]


def test_a_button_from_another_workspace_finds_nothing_and_is_recorded(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo", user=CAROL)
    reply = _press(stack.engine, "UEVE", 1, approve=True, team=OTHER_TEAM)
    assert reply.code == "no_such_proposal"
    assert "no proposal 1 in this workspace" in _checked(reply)
    assert _proposals(stack.engine) == [("WhyLabs", "pending", None)]
    assert _refusals(stack.engine) == [{"value": "1"}]


@pytest.mark.parametrize(
    ("command", "code", "says"),
    [
        ("propose", "missing_name", "needs the name of a tool"),
        ("propose Arize cost:100/mo", "propose_exists", "`/stack edit “Arize”"),
        ("propose arize", "propose_exists", "is in the stack already"),
        ("propose Thingamajig we want it", "unknown_tool_needs_layer", "Thingamajig"),
        ("propose WhyLabs cost:lots", "bad_cost", "not a cost"),
        ("propose WhyLabs owner:<@UBOB> backup:<@UBOB>", "backup_is_owner", "backup owner"),
        ("proposals approve", "missing_proposal", "needs the number"),
        ("proposals approve 99", "no_such_proposal", "no proposal 99"),
        ("proposals frobnicate", "unexpected_word", "frobnicate"),
    ],
)
def test_it_answers_bad_input_clearly_and_changes_nothing(
    stack: Stack, command: str, code: str, says: str
) -> None:
    reply = stack(command, user=CAROL)
    assert reply.code == code
    assert says in _checked(reply)
    assert _proposals(stack.engine) == []
    assert _tools(stack.engine) == ["Arize", "Pinecone"]


def test_it_refuses_to_propose_a_tool_twice_while_it_waits(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo", user=CAROL)
    reply = stack("propose whylabs", user=BOB)
    assert reply.code == "already_proposed"
    assert "proposed already, by <@UCAROL>" in _checked(reply)
    assert len(_proposals(stack.engine)) == 1


def test_approving_a_tool_someone_added_meanwhile_adds_nothing(stack: Stack) -> None:
    stack.ok("propose WhyLabs cost:1200/mo", user=CAROL)
    stack.now = NOW + timedelta(hours=1)
    stack.ok("add WhyLabs cost:1000/mo")
    reply = _press(stack.engine, ALICE, 1, approve=True)
    assert reply.code == "propose_exists"
    assert _proposals(stack.engine) == [("WhyLabs", "pending", None)]


def test_the_app_home_form_proposes_with_the_same_checks(stack: Stack) -> None:
    context = Context(team_id=TEAM, user_id=CAROL, now=NOW)
    engine = stack.engine
    bad_cost = submit_propose_form(engine, context, {"name": "WhyLabs", "cost": "lots"})
    assert "not a cost" in bad_cost.errors["cost"]
    exists = submit_propose_form(engine, context, {"name": "Arize"})
    assert "in the stack already" in exists.errors["name"]
    empty = submit_propose_form(engine, context, {"name": "  "})
    assert "empty" in empty.errors["name"]
    assert _proposals(engine) == []
    done = submit_propose_form(
        engine, context, {"name": "WhyLabs", "cost": "1200/mo", "why": "drift alerts"}
    )
    assert done.errors == {}
    assert done.reply is not None
    assert "$1,200/mo at stake" in _checked(done.reply)
    assert [p.to for p in done.reply.posts] == ["CREV"]
    assert _proposals(engine) == [("WhyLabs", "pending", None)]
    assert_valid_view(propose_form())
