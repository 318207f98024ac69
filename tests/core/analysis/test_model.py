"""The finding model: fingerprints stored with accepted findings, and the stack's summary."""

from __future__ import annotations

from decimal import Decimal

from core.analysis.model import fingerprint_of
from tests.core.analysis.helpers import run, tool


def test_it_keeps_the_fingerprints_stored_before_the_analysis_was_rebuilt() -> None:
    # Golden values computed by the analysis before it moved to primary capabilities: a team's
    # accepted findings are stored with these, and must stay accepted.
    assert fingerprint_of("dup-vector-search", [11, 3, 7]) == "fd3363717fe44316"
    assert fingerprint_of("over-data-tools", [3, 7, 11]) == "e42bf8577d035315"
    assert fingerprint_of("build-t11", [11]) == "5f88d6336993dd2c"
    assert fingerprint_of("gap-compute", []) == "d12c92633e7e0e5d"
    assert fingerprint_of("owner-t11", [11]) == "d2330b15a5e8dcdd"


def test_an_acceptance_of_a_whole_group_does_not_carry_over_to_its_pairs() -> None:
    # Before findings were pairs, "dup-vector-search" stood for the three tools at once; that
    # id is no longer made, so the team decides each pair again, once.
    stored = {"dup-vector-search": "fd3363717fe44316"}
    findings = run(
        tool(3, "Pinecone", ("vector-search",), cost=300),
        tool(7, "Qdrant", ("vector-search",), cost=200),
        tool(11, "Home Vec", ("vector-search",)),
        accepted=stored,
    )
    pairs = [f for f in findings if f.kind == "duplicate-capability"]
    assert sorted(f.id for f in pairs) == ["dup-t3-t11", "dup-t3-t7"]
    assert not any(f.accepted for f in pairs)


def test_it_keeps_the_fingerprint_when_a_tool_is_renamed_and_a_newcomer_gets_its_own() -> None:
    a = tool(1, "Pinecone", ("vector-search",), cost=300)
    b = tool(2, "Qdrant", ("vector-search",), cost=200)
    [first] = [f for f in run(a, b) if f.kind == "duplicate-capability"]
    renamed = tool(2, "Qdrant Cloud", ("vector-search",), cost=200)
    [again] = [f for f in run(a, renamed) if f.kind == "duplicate-capability"]
    joined = tool(3, "Weaviate", ("vector-search",), cost=100)

    assert again.fingerprint == first.fingerprint
    accepted = run(a, renamed, accepted={first.id: first.fingerprint})
    assert [f.accepted for f in accepted if f.id == first.id] == [True]
    # A third tool is a decision of its own: the accepted pair stays accepted, the new one open.
    with_joined = {f.id: f for f in run(a, b, joined, accepted={first.id: first.fingerprint})}
    assert with_joined[first.id].accepted
    assert not with_joined["dup-t1-t3"].accepted


def test_its_money_adds_up_by_hand() -> None:
    yearly = tool(1, "Pinecone", ("vector-search",), cost=3600, period="year")  # $300/mo
    monthly = tool(2, "Qdrant", ("vector-search",), cost="199.99")

    [dup] = [f for f in run(yearly, monthly) if f.kind == "duplicate-capability"]

    assert dup.monthly_cost == {"USD": Decimal("499.99")}
