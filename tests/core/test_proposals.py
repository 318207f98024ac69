"""Asking before buying, knowing the rest of the analysis: a bought tool replacing a home-made
commodity is a replacement to price, not a duplicate."""

from __future__ import annotations

from decimal import Decimal

from core.analysis import analyse
from core.proposals import assess
from templates.render import environment
from tests.core.analysis.helpers import TODAY, catalog_tool, tool

SAYING = environment().from_string('{% import "_proposal.j2" as p %}{{ p.saving(found, name) }}')


def test_buying_a_tracker_where_the_team_built_one_replaces_it_and_prices_the_change() -> None:
    home = tool(1, "Runbook Tracker", ("experiment-tracking",), sourcing="build", cost=2000)
    stack = [home, catalog_tool(2, "vLLM")]
    [flag] = [f for f in analyse(stack, today=TODAY) if f.kind == "build-vs-buy"]
    assert flag.rule == "rent-this"  # the analysis already says: rent this
    wandb = catalog_tool(99, "Weights & Biases", cost=18000, period="year")

    found = assess(wandb, stack)

    assert found.covering == ()  # W&B does more than the home-made tracker
    assert found.replaces == (home,)
    assert found.saving == {}
    assert found.proposed_cost == {"USD": Decimal("1500.00")}
    assert found.replaced_cost == {"USD": Decimal("2000.00")}
    words = SAYING.render(found=found, name="Weights & Biases")
    assert "would duplicate" not in words
    assert "would replace your home-made Runbook Tracker*, flagged rent-this" in words
    assert "The change: $1,500/mo in place of $2,000/mo registered for the home-made one." in words


def test_a_home_made_tool_doing_exactly_the_job_is_still_replaced_not_duplicated() -> None:
    home = tool(1, "VecStore", ("vector-search", "embedding-store"), sourcing="build")

    found = assess(catalog_tool(99, "Pinecone", cost=900), [home])

    assert found.covering == (home,)
    assert found.saving == {}
    words = SAYING.render(found=found, name="Pinecone")
    assert "its upkeep is your people’s time" in words


def test_buying_what_a_bought_tool_already_does_is_still_a_duplicate() -> None:
    found = assess(catalog_tool(99, "Qdrant", cost=300), [catalog_tool(1, "Pinecone", cost=900)])

    assert found.replaces == ()
    assert found.saving == {"USD": Decimal("300.00")}
