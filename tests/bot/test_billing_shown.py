"""The bill beside the registered costs in /stack show, spend, map and the weekly digest."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy import Engine

from db.engine import session_scope
from db.tools import get_workspace
from stack import Context
from stack.billing import import_billing
from stack.digest import build_digest
from tests.conftest import ALICE, NOW, TEAM, Stack

AWS = (Path(__file__).parent.parent / "samples" / "focus_aws.csv").read_bytes()


def read_bill(engine: Engine) -> None:
    context = Context(team_id=TEAM, user_id=ALICE, now=NOW)
    report = import_billing(engine, context, io.BytesIO(AWS), dry_run=False)
    assert report.applied


def test_spend_and_map_show_the_bill_the_overspend_and_the_unregistered_service(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    before = json.dumps(stack.ok("/stack spend").message)
    assert "Billed in" not in before  # nothing until a bill is read
    read_bill(engine)
    for command in ("/stack spend", "/stack map"):
        text = json.dumps(stack.ok(command).message, ensure_ascii=False)
        assert "Billed in Oct 2026" in text
        assert "Amazon SageMaker: $3,000 · registered $2,000/mo · :rotating_light: *over*" in text
        assert "Not in your stack:* Amazon Bedrock $3,200 (`/stack add “Amazon Bedrock”`)" in text


def test_a_tool_billed_within_a_quarter_of_its_cost_is_not_flagged(
    engine: Engine, stack: Stack
) -> None:
    stack.ok("/stack add SageMaker cost:2500/mo")  # billed 3,000: 20% over, inside the noise
    read_bill(engine)
    text = json.dumps(stack.ok("/stack spend").message, ensure_ascii=False)
    assert "Amazon SageMaker: $3,000 · registered $2,500/mo\\n" in text
    assert "rotating_light" not in text


def test_a_bill_in_another_currency_is_never_compared(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:EUR 100/mo")
    read_bill(engine)
    text = json.dumps(stack.ok("/stack show SageMaker").message, ensure_ascii=False)
    assert "Billed in Oct 2026" in text
    assert "$3,000 · registered €100/mo" in text
    assert "well above" not in text


def test_show_flags_one_tool_well_above_its_registered_cost(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:24k/yr")
    read_bill(engine)
    text = json.dumps(stack.ok("/stack show SageMaker").message, ensure_ascii=False)
    assert "$3,000 · :rotating_light: well above the registered $2,000/mo" in text


def test_the_digest_carries_the_bill(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    read_bill(engine)
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        digest = build_digest(session, workspace, now=NOW, period="2026-W48", previous=None)
    text = json.dumps(digest.message, ensure_ascii=False)
    assert "Billed in Oct 2026" in text
    assert "well above their registered cost" not in text
    assert "1 well above its registered cost" in text
    assert "Amazon Bedrock $3,200" in text


def test_history_says_who_imported_what(engine: Engine, stack: Stack) -> None:
    from stack.transfer import import_stack

    context = Context(team_id=TEAM, user_id=ALICE, now=NOW)
    csv = b"name,layers,cost\nvLLM,inference,10\n"
    import_stack(engine, context, io.BytesIO(csv), dry_run=False, lookup=lambda e: None)
    import_stack(
        engine,
        context,
        io.BytesIO(csv.replace(b",10", b",20")),
        dry_run=False,
        lookup=lambda e: None,
    )
    read_bill(engine)
    text = json.dumps(stack.ok("/stack history").message, ensure_ascii=False)
    assert "imported the AWS bill for Oct 2026 (6 rows)" in text  # months as people write them
    assert "updated *vLLM* from an imported file" in text
    assert "added *vLLM* from an imported file" in text
    assert "cost $10/mo → $20/mo" in text
