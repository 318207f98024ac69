"""The spend chart once bills are imported: a bar per billed month and currency."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from db.engine import session_scope
from db.spend import monthly_totals
from db.tools import get_workspace
from stack.pictures import draw, spend_svg
from tests.bot.test_billing import bill, sample
from tests.conftest import NOW, TEAM, Stack

SVG = "{http://www.w3.org/2000/svg}"


def chart_texts(engine: Engine) -> list[str]:
    svg = spend_svg(engine, TEAM, NOW)
    assert svg is not None
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def a_month_earlier(data: bytes) -> bytes:
    """The AWS sample moved from October to September, every cost halved."""
    text = data.decode().replace("2026-10-", "2026-09-").replace("2026-11-01", "2026-10-01")
    lines = text.splitlines()
    halved = [lines[0]] + [
        f"{Decimal(line.split(',', 1)[0]) / 2},{line.split(',', 1)[1]}" for line in lines[1:]
    ]
    return "\n".join(halved).encode()


def totals(engine: Engine, months: int = 6) -> dict[str, list[tuple[date, Decimal]]]:
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=TEAM)
        assert workspace is not None
        assert workspace.id is not None
        return monthly_totals(session=session, workspace_id=workspace.id, months=months)


def test_without_bills_the_chart_shows_no_months(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    drawn = chart_texts(engine)
    assert any(t.startswith("USD") and "$2,000 in all" in t for t in drawn)
    assert not any("Billed per month" in t for t in drawn)
    assert totals(engine) == {}


def test_an_imported_bill_adds_its_months_to_the_spend_chart(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    assert bill(engine, sample("aws")).applied
    assert bill(engine, a_month_earlier(sample("aws"))).applied
    # SageMaker's 3,000 and the 3,200 of Bedrock no tool claims; EC2 and S3 were never kept
    october, september = date(2026, 10, 1), date(2026, 9, 1)
    assert totals(engine) == {"USD": [(september, Decimal(3100)), (october, Decimal(6200))]}
    assert totals(engine, months=1) == {"USD": [(october, Decimal(6200))]}
    drawn = chart_texts(engine)
    assert any("Billed per month" in t and "USD" in t for t in drawn)
    months = [t for t in drawn if t in ("Sep 2026", "Oct 2026")]
    assert months == ["Sep 2026", "Oct 2026"]  # oldest first
    assert "$6,200" in drawn
    assert "$3,100" in drawn
    assert any(t.startswith("USD") and "$2,000 in all" in t for t in drawn)  # the layers stay


def test_months_in_two_currencies_are_kept_apart(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    assert bill(engine, sample("aws")).applied
    assert bill(engine, sample("gcp")).applied
    found = totals(engine)
    assert sorted(found) == ["EUR", "USD"]
    assert found["USD"] == [(date(2026, 10, 1), Decimal(6200))]
    drawn = chart_texts(engine)
    assert sum("Billed per month" in t for t in drawn) == 2


def test_the_pictures_alt_text_reads_the_billed_months(engine: Engine, stack: Stack) -> None:
    stack.ok("/stack add SageMaker cost:2000/mo")
    assert bill(engine, sample("aws")).applied
    drawn = draw(engine, TEAM, NOW, "spend", where="dm")
    assert drawn is not None
    assert drawn.alt.endswith(". Billed per month in USD: Oct 2026 $6,200")
