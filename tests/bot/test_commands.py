"""/stack end to end through run_command, against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.conftest import ALICE, BOB, OTHER_TEAM, QueryCounter, Stack
from tests.slack_checks import all_text, assert_valid_message, mrkdwn_text


def dump(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table, to show that a refusal changed nothing."""
    with engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in ("workspace", "tool", "audit_event")
        }


def test_it_fills_a_known_tool_in_from_the_catalog(stack: Stack) -> None:
    reply = stack.ok("add vllm")
    assert reply.public
    assert_valid_message(reply.message)
    assert "*vLLM*" in all_text(reply.message)
    shown = all_text(stack.ok("show vLLM").message)
    assert "Inference and serving" in shown
    assert "llm-serving" in shown
    assert "vLLM project" in shown


def test_it_lets_what_the_user_gives_win_over_the_catalog(stack: Stack) -> None:
    stack.ok("add SageMaker layer:inference,mlops vendor:AWS cost:18k/mo sourcing:buy")
    shown = all_text(stack.ok("show sagemaker").message)
    assert "Inference and serving, MLOps" in shown
    assert "Governance" not in shown
    assert "AWS" in shown
    assert "$18,000/mo" in shown


def test_it_needs_a_layer_for_an_unknown_tool(stack: Stack, engine: Engine) -> None:
    before = dump(engine)
    reply = stack("add Zorblax")
    assert not reply.ok
    assert "needs a layer" in reply.message["text"]
    assert dump(engine) == before
    stack.ok("add Zorblax data")


def test_it_suggests_the_catalog_tool_for_a_typo(stack: Stack) -> None:
    reply = stack("add mlfow")
    assert not reply.ok
    assert "/stack add MLflow" in all_text(reply.message)


def test_it_refuses_a_second_row_for_the_same_tool(stack: Stack, engine: Engine) -> None:
    stack.ok("add MLflow")
    before = dump(engine)
    for again in ("add mlflow", "add MLflow Tracking", 'add "ML flow"'):
        reply = stack(again)
        assert not reply.ok
        assert "/stack edit" in all_text(reply.message)
    assert dump(engine) == before


def test_it_edits_and_records_before_and_after(stack: Stack) -> None:
    stack.ok("add vLLM inference cost:1000/mo")
    reply = stack.ok("edit vllm cost:1200/mo owner:<@UBOB|bob>")
    assert "$1,000/mo → $1,200/mo" in all_text(reply.message)
    history = all_text(stack.ok("history vLLM").message)
    assert "$1,000/mo → $1,200/mo" in history
    assert "<@UBOB>" in history


def test_it_renames_a_tool_but_not_onto_another(stack: Stack) -> None:
    stack.ok('add "Feature Hub" data sourcing:build')
    stack.ok("add Pinecone")
    assert not stack('edit "Feature Hub" name:Pinecone').ok
    stack.ok('edit "Feature Hub" name:"Feature Service"')
    assert stack.ok('show "Feature Service"')
    assert not stack('show "Feature Hub"').ok


def test_it_retires_a_tool_keeping_its_history(stack: Stack) -> None:
    stack.ok("add TorchServe inference")
    stack.ok("remove torchserve")
    assert "TorchServe" not in all_text(stack.ok("list").message)
    assert "TorchServe" in all_text(stack.ok("list retired").message)
    history = all_text(stack.ok("history TorchServe").message)
    assert "retired" in history
    assert "added" in history
    assert not stack("remove TorchServe").ok
    assert not stack("edit TorchServe cost:5/mo").ok
    reply = stack.ok("add TorchServe")
    assert "brought back" in all_text(reply.message)


def test_it_shows_all_seven_layers_with_gaps_on_the_map(stack: Stack) -> None:
    stack.ok("add vLLM inference owner:<@UALICE> cost:1500/mo")
    stack.ok("add Pinecone cost:2400/mo sourcing:buy")
    message = stack.ok("map").message
    assert_valid_message(message)
    shown = all_text(message)
    positions = [shown.index(f"*{n} · ") for n in range(1, 8)]
    assert positions == sorted(positions)
    assert shown.count("gap: nothing here yet") == 5
    assert "$1,500/mo" in shown
    assert "<@UALICE>" in shown
    assert "1 bought" in shown


def test_it_answers_help_for_an_empty_command(stack: Stack) -> None:
    reply = stack.ok("")
    assert "/stack add" in all_text(reply.message)
    for topic in ("add", "edit", "list", "caps", "history"):
        assert_valid_message(stack.ok(f"help {topic}").message)


def test_it_suggests_the_nearest_tool_name(stack: Stack) -> None:
    stack.ok("add Pinecone")
    reply = stack("show Pinecon")
    assert not reply.ok
    assert "Did you mean *Pinecone*" in all_text(reply.message)


@pytest.mark.parametrize(
    "command",
    [
        "ad vLLM",
        "add",
        "add Acme layer:infrence",
        "add Acme caps:vector-serch data",
        "add Acme data cost:cheap",
        "add Acme data cost:-5/mo",
        "add Acme data cost:1e309",
        "add Acme data renews:31 Feb",
        "add Acme data renews:2027-13-01",
        "add Acme data renews:03/04/2027",
        f"add {'x' * 81} data",
        'add "Acme data',
        "add Ac\x07me data",
        "edit Nothing cost:5/mo",
        "edit vLLM",
        "remove Nothing",
        "show",
        "add mlfow",
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(
    stack: Stack, engine: Engine, command: str
) -> None:
    stack.ok("add vLLM")
    before = dump(engine)
    reply = stack(command)
    assert not reply.ok
    assert not reply.public
    assert_valid_message(reply.message)
    assert reply.message["text"].strip()
    assert dump(engine) == before


@pytest.mark.parametrize(
    "name",
    [
        "<!channel>",
        "<!here> tool",
        "<@U123> tool",
        "Robert'); DROP TABLE tool;--",
        "a & b < c > d",
        "Café Ünïcode",
        "向量数据库",
        "🚀 Rocket 👩‍💻",
    ],
)
def test_it_stores_names_exactly_and_escapes_them_everywhere(stack: Stack, name: str) -> None:
    stack.ok(f'add "{name}" data notes:see <!channel> & <@U999>')
    for command in ("list", "map", f'show "{name}"', "history"):
        message = stack.ok(command).message
        assert_valid_message(message)
        shown = mrkdwn_text(message)
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in shown
        assert "<!channel>" not in shown
        assert "<!here>" not in shown
        assert "<@U123>" not in shown
    notes = all_text(stack.ok(f'show "{name}"').message)
    assert "see &lt;!channel&gt; &amp; &lt;@U999&gt;" in notes


def test_it_keeps_workspaces_apart(stack: Stack, engine: Engine) -> None:
    stack.ok('add "Beta Secret" inference cost:9999/mo', team=OTHER_TEAM, user=BOB)
    assert "Beta Secret" not in all_text(stack.ok("list").message)
    assert not stack('show "Beta Secret"').ok
    assert not stack('edit "Beta Secret" cost:1/mo').ok
    assert not stack('remove "Beta Secret"').ok
    assert not stack('history "Beta Secret"').ok
    assert "9,999" not in all_text(stack.ok("map").message)
    assert "Beta Secret" not in all_text(stack.ok("history").message)
    stack.ok('add "Beta Secret" inference')  # the same name is free in this workspace
    theirs = all_text(stack.ok('show "Beta Secret"', team=OTHER_TEAM).message)
    assert "$9,999/mo" in theirs
    mine = all_text(stack.ok('show "Beta Secret"').message)
    assert "9,999" not in mine


@pytest.fixture
def big_stack(stack: Stack, engine: Engine) -> Stack:
    """500 tools, written straight to the store: the listing limits are what is tested."""
    stack.ok("add vLLM")
    from core.text import normalise
    from db.engine import session_scope
    from db.tools import add_tool, ensure_workspace

    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id=stack.team, now=stack.now)
        assert workspace.id is not None
        for n in range(500):
            name = f"<b>Tool & {n:03d}</b> " + "ü" * 50
            add_tool(
                session=session,
                workspace_id=workspace.id,
                values={"name": name, "name_key": normalise(name), "layers": [n % 7 + 1],
                        "capabilities": [], "owner_id": "UALICE", "cost_cents": 100_00 + n,
                        "cost_currency": "USD", "cost_period": "month"},
                actor=ALICE,
                now=stack.now,
            )  # fmt: skip
    return stack


def test_it_fits_slack_limits_with_500_tools(big_stack: Stack) -> None:
    for command in ("list", "list inference", "map", "history"):
        message = big_stack.ok(command).message
        assert_valid_message(message)
    listing = all_text(big_stack.ok("list").message)
    assert "Showing 40 of 501" in listing
    assert "/stack list inference" in listing
    assert "more: `/stack list compute`" in all_text(big_stack.ok("map").message)


def test_it_uses_the_same_number_of_queries_whatever_the_stack_size(
    stack: Stack, engine: Engine, queries: QueryCounter
) -> None:
    def count(command: str) -> int:
        queries.count = 0
        stack.ok(command)
        return queries.count

    stack.ok("add vLLM")
    small = {c: count(c) for c in ("list", "map", "show vLLM", "history", "history vLLM")}
    for name in ("MLflow", "Pinecone", "Evidently", "Arize", "KServe", "Kubeflow", "Qdrant"):
        stack.ok(f"add {name} owner:<@UBOB>")
        stack.ok(f"edit {name} cost:10/mo")
    large = {c: count(c) for c in small}
    assert large == small
    adds = [count(f"add Tool{n} data") for n in range(3)]
    assert len(set(adds)) == 1


def test_it_takes_adds_from_many_threads_at_once(engine: Engine) -> None:
    import threading

    refused: list[str] = []

    def add_some(writer: int) -> None:
        stack = Stack(engine)
        for n in range(15):
            reply = stack(f'add "Tool {writer}-{n}" data')
            if not reply.ok:
                refused.append(reply.message["text"])

    threads = [threading.Thread(target=add_some, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused == []
    assert Stack(engine).ok("list").message["text"] == "All tools: 90 tools"
