"""/stack overlaps, accept, reopen, spend and settings own, against a real store."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from tests.bot.test_commands import dump
from tests.conftest import BOB, Stack
from tests.slack_checks import all_text, assert_valid_message


def finding_ids(stack: Stack, command: str = "overlaps") -> list[str]:
    message = stack.ok(command).message
    assert_valid_message(message)
    return [
        block["accessory"]["value"]
        for block in message["blocks"]
        if block.get("accessory", {}).get("action_id") in {"finding_accept", "finding_reopen"}
    ]


def seed(stack: Stack) -> None:
    """The seed's shape: a platform over inference, MLOps and observability, plus a separate
    tool in each of those layers."""
    stack.ok("add SageMaker layer:inference,mlops,observability cost:18k/mo owner:<@UALICE>")
    stack.ok("add vLLM cost:1500/mo owner:<@UALICE>")
    stack.ok("add Evidently owner:<@UALICE>")
    stack.ok("add Arize cost:30k/yr owner:<@UALICE>")


def test_it_reports_the_platform_paid_twice(stack: Stack) -> None:
    seed(stack)
    message = stack.ok("overlaps").message
    shown = all_text(message)
    assert "twice-amazon-sagemaker-vllm" in finding_ids(stack)
    # SageMaker serves LLMs as its own main job, so vLLM's $1,500 is avoidable; Arize and
    # Evidently watch models, which SageMaker (registered here without Model Monitor) does not.
    assert "Keep Amazon SageMaker, drop vLLM for llm-serving: $1,500/mo, $18,000/yr." in shown
    assert "$1,500/mo ($18,000/yr) on its own, if vLLM goes" in shown
    # The bill: SageMaker $18,000, vLLM $1,500, Arize $2,500; Evidently is free and redundant
    # to Arize: a record to tidy up, not money.
    assert "Avoidable: $1,500 of $22,000/mo*, each tool counted once: vLLM $1,500/mo:" in shown
    assert "Tidy up, no money: Evidently (no cost registered)" in shown


def test_it_accepts_a_finding_until_its_tools_change(stack: Stack) -> None:
    stack.ok('add "Tracker A" caps:experiment-tracking owner:<@UALICE>')
    stack.ok('add "Tracker B" caps:experiment-tracking cost:14k/yr owner:<@UALICE>')
    [pair] = [i for i in finding_ids(stack) if i.startswith("dup-")]  # keep B, drop A
    reply = stack.ok(f"overlaps accept {pair} research uses W&B, prod MLflow")
    assert reply.public
    assert pair not in finding_ids(stack)
    assert pair in finding_ids(stack, "overlaps accepted")
    history = all_text(stack.ok("history").message)
    assert "accepted" in history
    # A third tracker is a decision of its own: the accepted pair stays accepted.
    stack.ok('add "Tracker C" caps:experiment-tracking owner:<@UALICE>')
    assert pair in finding_ids(stack, "overlaps accepted")
    assert [i for i in finding_ids(stack) if i.startswith("dup-")]
    # Its own tools changing reopens it: Tracker B now does more, so A's pair is remade.
    stack.ok('edit "Tracker A" caps:experiment-tracking,model-registry')
    assert pair not in finding_ids(stack, "overlaps accepted")


def test_it_reopens_an_accepted_finding(stack: Stack) -> None:
    stack.ok('add "Tracker A" caps:experiment-tracking owner:<@UALICE>')
    stack.ok('add "Tracker B" caps:experiment-tracking owner:<@UALICE>')
    [pair] = [i for i in finding_ids(stack) if i.startswith("dup-")]
    stack.ok(f"overlaps accept {pair} on purpose")
    stack.ok(f"overlaps reopen {pair}")
    assert pair in finding_ids(stack)


def test_it_refuses_bad_decisions_and_changes_nothing(stack: Stack, engine: Engine) -> None:
    stack.ok('add "Tracker A" caps:experiment-tracking owner:<@UALICE>')
    stack.ok('add "Tracker B" caps:experiment-tracking owner:<@UALICE>')
    [pair] = [i for i in finding_ids(stack) if i.startswith("dup-")]
    stack.ok(f"overlaps accept {pair} on purpose")
    before = dump(engine)
    cases = {
        "overlaps accept dup-nothing-here because": "no finding",
        f"overlaps accept {pair[:-1]}x because": f"Did you mean `{pair}`",
        f"overlaps accept {pair} again": "already accepted",
        "overlaps accept gap-governance": "needs a reason",
        "overlaps accept": "needs a finding",
        "overlaps reopen gap-governance": "is open, not accepted",
    }
    for command, words in cases.items():
        reply = stack(command)
        assert not reply.ok, command
        assert words in all_text(reply.message), command
    assert dump(engine) == before


def test_it_marks_over_invested_layers_and_gaps_on_the_map(stack: Stack) -> None:
    for name in ("Evidently", "Arize", "WhyLabs", "Fiddler"):
        stack.ok(f"add {name} layer:observability caps:drift-detection owner:<@UALICE>")
    shown = all_text(stack.ok("map").message)
    assert "over-invested: more tools than main jobs here" in shown
    assert shown.count("gap: nothing here yet") == 6


def test_it_shows_spend_per_layer_per_currency(stack: Stack) -> None:
    stack.ok("add CoreWeave cost:6000/mo")
    stack.ok('add Pinecone cost:"EUR 2,000/month"')
    stack.ok("add vLLM cost:2000/mo")
    message = stack.ok("spend").message
    assert_valid_message(message)
    shown = all_text(message)
    assert "$8,000/mo + €2,000/mo in all" in shown
    # A share says what it is a share of (issue 17: a bare "75%" could not be rebuilt).
    assert re.search(r"`█{15}░{5}` 75% of \$8,000 · \$6,000/mo", shown)
    assert "100% of €2,000 · €2,000/mo" in shown
    assert "usage-billed tools (model APIs) included" in shown


def test_it_lets_only_admins_name_owned_layers_and_audits_refusals(stack: Stack) -> None:
    from stack import Context, run_command

    member = Context(team_id=stack.team, user_id=BOB, now=stack.now, slack_admin=False)
    refused = run_command(stack.engine, member, "settings own data")
    assert not refused.ok
    assert "Only stack admins" in all_text(refused.message)
    assert "data" not in all_text(stack.ok("settings").message).split("Layers we own")[1][:40]
    assert "refused" in all_text(stack.ok("history").message)
    stack.ok("settings own data,governance")
    assert "Data and vector databases, Governance" in all_text(stack.ok("settings").message)


def test_it_flags_a_built_vector_database_even_in_an_owned_layer(stack: Stack) -> None:
    stack.ok('add "Our Vector DB" data caps:vector-search sourcing:build owner:<@UALICE>')
    [tool_id] = [i for i in finding_ids(stack) if i.startswith("build-")]
    stack.ok("settings own data")
    assert tool_id in finding_ids(stack)
    assert "vector-search is a commodity" in all_text(stack.ok("overlaps").message)


def test_it_flags_building_outside_the_owned_layers(stack: Stack) -> None:
    stack.ok('add "Our Evals" observability caps:model-evaluation sourcing:build owner:<@UALICE>')
    assert not [i for i in finding_ids(stack) if i.startswith("build-")]
    stack.ok("settings own data")
    assert "built in-house in Observability, which you don" in all_text(
        stack.ok("overlaps").message
    )
    stack.ok("settings own data,observability")
    assert not [i for i in finding_ids(stack) if i.startswith("build-")]


def test_a_team_says_a_tool_of_its_own_is_a_platform(stack: Stack, engine: Engine) -> None:
    stack.ok(
        'add "Lakehouse" caps:model-serving,model-registry platform:yes cost:5000/mo'
        " owner:<@UALICE>"
    )
    stack.ok('add "Seldon Core" caps:model-serving cost:800/mo owner:<@UALICE>')
    shown = all_text(stack.ok("overlaps").message)
    assert "Keep Lakehouse, drop Seldon Core for model-serving: $800/mo, $9,600/yr." in shown
    assert "a platform: it may take over other tools’ jobs" in all_text(
        stack.ok("show Lakehouse").message
    )
    before = dump(engine)
    refused = stack("edit Lakehouse platform:maybe")
    assert not refused.ok
    assert "`maybe` is not a yes or a no" in all_text(refused.message)
    assert dump(engine) == before
    stack.ok("edit Lakehouse platform:none")  # back to the catalog's word: not a platform
    assert "Keep Lakehouse, drop Seldon Core" in all_text(stack.ok("overlaps").message)
    assert "dup-t1-seldon-core" in finding_ids(stack)  # now two separate tools
    assert "twice-t" not in " ".join(finding_ids(stack))
