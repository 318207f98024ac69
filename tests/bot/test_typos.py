"""A name that looks like a typo never becomes a record until someone confirms it: in Slack
with a button, at the terminal with the exact command to type."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from db.engine import session_scope
from db.models import Tool
from stack import Context
from stack.run import run_command
from tests.conftest import ALICE, Stack
from tests.slack_checks import all_text, assert_message_reads, assert_valid_message


def names(stack: Stack) -> list[str]:
    with session_scope(stack.engine, write=False) as session:
        return sorted(t.name for t in session.exec(select(Tool)).all())


def buttons(reply_message: dict[str, object]) -> dict[str, str]:
    blocks = reply_message["blocks"]
    assert isinstance(blocks, list)
    return {
        e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
    }


def test_a_near_miss_of_a_catalog_tool_asks_first_and_adds_nothing(stack: Stack) -> None:
    reply = stack("add Pinecon data")
    assert not reply.ok
    assert reply.code == "did_you_mean"
    assert_valid_message(reply.message)
    assert_message_reads(reply.message)
    assert "did you mean *Pinecone*?" in all_text(reply.message)
    assert names(stack) == []
    offered = buttons(reply.message)
    assert offered == {"add_suggested": "add Pinecone data", "add_as_typed": "add Pinecon data"}
    # The buttons run these commands (bot/listeners/actions/typo.py); "as typed" confirmed.
    stack.ok(offered["add_suggested"])
    assert names(stack) == ["Pinecone"]


def test_the_person_may_confirm_the_name_as_typed(stack: Stack) -> None:
    confirmed = Context(team_id=stack.team, user_id=ALICE, now=stack.now, confirmed=True)
    assert run_command(stack.engine, confirmed, "add Pinecon data").ok
    assert names(stack) == ["Pinecon"]


def test_a_near_miss_of_a_layer_word_is_asked_about_not_made_part_of_the_name(
    stack: Stack,
) -> None:
    reply = stack("add Foo infrence")
    assert not reply.ok
    shown = all_text(reply.message)
    assert "`infrence` is not a layer: did you mean *inference*?" in shown
    assert "“Foo infrence” inference" not in shown  # no tool literally named "Foo infrence"
    assert buttons(reply.message)["add_suggested"] == "add Foo inference"
    assert names(stack) == []


def test_the_terminal_is_told_the_exact_commands_to_type(stack: Stack) -> None:
    at_terminal = Context(team_id=stack.team, user_id=ALICE, now=stack.now, terminal=True)
    reply = run_command(stack.engine, at_terminal, "/stack add Pinecon data")
    shown = all_text(reply.message)
    assert "`stackbot cmd '/stack add Pinecone data'`" in shown
    assert "`stackbot cmd --confirm '/stack add Pinecon data'`" in shown
    assert not buttons(reply.message)
    assert run_command(stack.engine, replace(at_terminal, confirmed=True), "add Pinecon data").ok


def test_a_name_that_looks_meant_is_added_at_once(stack: Stack) -> None:
    stack.ok("add Acme data")
    stack.ok("add Pinecone data")
    assert names(stack) == ["Acme", "Pinecone"]


def test_a_name_in_quotes_is_taken_as_typed(stack: Stack) -> None:
    stack.ok('add "Pinecon" data')
    assert names(stack) == ["Pinecon"]


def test_a_misspelt_decision_is_named_alone(stack: Stack) -> None:
    stack.ok("add Arize renews:2027-03-01")
    reply = stack("review Arize kep")
    assert reply.code == "unknown_decision"
    shown = all_text(reply.message)
    assert "`kep` is not a review decision" in shown
    assert "Did you mean `/stack review Arize keep`?" in shown
    assert "needs a tool" not in shown
    assert stack("review Arize").code == "missing_decision"
    assert "needs a decision after the tool’s name" in all_text(stack("review Arize").message)


def test_a_misspelt_decision_for_a_missing_tool_names_both(stack: Stack) -> None:
    stack.ok("add Arize renews:2027-03-01")
    stack.ok("add Qdrant data")
    shown = all_text(stack("review Qdrnt kep").message)
    assert "`kep` is not a review decision, and there is no tool called `Qdrnt`" in shown
    assert "Did you mean *Qdrant*?" in shown


def test_a_proposal_of_a_near_miss_asks_first_too(stack: Stack) -> None:
    reply = stack("propose Pinecon data we need vector search")
    assert reply.code == "did_you_mean"
    assert "Nothing proposed yet" in all_text(reply.message)
    offered = buttons(reply.message)
    assert offered["add_suggested"] == "propose Pinecone data we need vector search"
    assert "0 proposals waiting" in stack.ok("proposals").message["text"]  # no proposal row
