"""How findings read: each decision under its heading, every figure beside what it is made of."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.analysis import analyse, doubled_by_tool, summarise
from templates.render import render
from tests.core.analysis.helpers import TODAY, catalog_tool, tool
from tests.slack_checks import assert_valid_message


def text_of(message: dict[str, object]) -> str:
    blocks = message["blocks"]
    assert isinstance(blocks, list)
    return "\n".join(
        str(b["text"]["text"]) if "text" in b else str(b["elements"][0]["text"])
        for b in blocks
        if "text" in b or b.get("type") == "context"
    )


def test_a_decision_reads_keep_drop_price_a_year_and_the_date_to_cancel_by() -> None:
    tools = [
        tool(1, "Pinecone", ("vector-search", "embedding-store"), cost=500),
        tool(2, "Qdrant", ("vector-search", "embedding-store"), cost=3600, period="year",
             renews=date(2027, 1, 31), notice=30),
        tool(3, "Weaviate", ("vector-search", "embedding-store")),
        catalog_tool(4, "OpenAI API", cost=4000),
    ]  # fmt: skip
    findings = analyse(tools, today=TODAY)
    message = render(
        "overlaps",
        findings=findings,
        total=len(findings),
        accepted_count=0,
        accepted_view=False,
        layer=None,
        summary=summarise(findings, tools),
    )
    assert_valid_message(message)
    text = text_of(message)

    # Qdrant's contract can be left first; Weaviate has no cost, so it is tidying, not money.
    assert "_Data and vector databases: vector-search_" in text
    assert (
        "Keep Pinecone, drop Qdrant for vector-search and embedding-store: $300/mo, $3,600/yr, "
        "cancel by 1 Jan 2027." in text
    )
    assert "$300/mo ($3,600/yr) on its own, if Qdrant goes: decide before 1 Jan 2027" in text
    assert "Avoidable: $300 of $4,800/mo*, each tool counted once: Qdrant $300/mo" in text
    assert (
        "A year of their contracts: $3,600/yr; the last cancel-by date among them is 1 Jan 2027."
        in text
    )
    assert (
        ":broom: Tidy up, no money: Weaviate (no cost registered) does only what tools you keep do."
        in text
    )
    assert "OpenAI API" not in text.split("Avoidable")[1].split("\n")[0]  # billed by use


def test_a_review_due_names_the_finding_that_calls_the_tool_a_duplicate() -> None:
    pinecone = tool(1, "Pinecone", ("vector-search",), cost=900)
    qdrant = replace(
        tool(2, "Qdrant", ("vector-search",), cost=300, renews=date(2027, 1, 1), notice=15),
        next_review_on=date(2026, 12, 17),
    )
    findings = analyse([pinecone, qdrant], today=TODAY)
    doubled = doubled_by_tool(findings)
    assert set(doubled) == {qdrant.id}

    message = render(
        "reviews", tools=[qdrant], total=1, today=TODAY, stages={}, zone="UTC", doubled=doubled
    )
    assert_valid_message(message)

    assert (
        ":link: A finding calls it a duplicate of Pinecone (`dup-t1-t2`, $300/mo): decide before "
        "17 Dec 2026." in text_of(message)
    )
    # Without the findings, the review reads as it always did.
    alone = render("reviews", tools=[qdrant], total=1, today=TODAY, stages={}, zone="UTC")
    assert ":link:" not in text_of(alone)
