"""What must hold for every stack, catalog tools and hand-made ones mixed."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis import KINDS, analyse, summarise
from core.analysis.model import MAX_ID
from core.catalog import load_catalog
from core.layers import CAPABILITIES, CAPABILITY_LAYER, LAYER_BY_NUMBER
from core.money import Cost
from core.profile import profile
from core.stack import StackTool, spend_by_currency
from tests.core.analysis.helpers import ALICE, TODAY

CATALOG = load_catalog().entries
NAMES = ("Alpha", "beta", "Gamma", "alpha", "Delta", "Ray", "MLflow", "W&B")
ID = re.compile(r"^[a-z0-9-]+$")

costs = st.none() | st.builds(
    Cost,
    amount=st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False),
    currency=st.sampled_from(("USD", "EUR")),
    period=st.sampled_from(("month", "year")),
)


@st.composite
def a_tool(draw: st.DrawFn, tool_id: int) -> StackTool:
    if draw(st.booleans()):
        entry = draw(st.sampled_from(CATALOG))
        layers, capabilities, key = entry.layers, entry.capabilities, entry.key
    else:
        capabilities = tuple(
            draw(st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=4, unique=True))
        )
        layers, key = tuple(sorted({CAPABILITY_LAYER[c] for c in capabilities})), None
    return StackTool(
        id=tool_id,
        name=draw(st.sampled_from(NAMES)),
        layers=layers,
        capabilities=capabilities,
        catalog_key=key,
        sourcing=draw(st.sampled_from((None, "build", "buy", "open-source"))),
        cost=draw(costs),
        owner_id=draw(st.sampled_from((None, ALICE, "UBOB"))),
        active=draw(st.integers(0, 4)) > 0,
        next_review_on=draw(st.none() | st.dates(TODAY - timedelta(400), TODAY + timedelta(400))),
        platform=draw(st.sampled_from((None, None, None, True, False))),
    )


@st.composite
def stacks(draw: st.DrawFn) -> list[StackTool]:
    ids = draw(st.lists(st.integers(1, 10_000), max_size=24, unique=True))
    return [draw(a_tool(tool_id)) for tool_id in ids]


owned = st.sets(st.integers(1, 7), max_size=3)
few = settings(max_examples=50, deadline=None)


@few
@given(tools=stacks(), owned_layers=owned)
def test_avoidable_spend_never_exceeds_the_bill_and_counts_each_tool_once(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)
    summary = summarise(findings, tools)

    bill = spend_by_currency(t for t in tools if t.active)
    for currency, amount in summary.avoidable.items():
        assert amount <= bill[currency]
    redundant = {t.id: t for f in findings if not f.accepted for t in f.redundant}
    by_hand: dict[str, Decimal] = defaultdict(Decimal)
    for t in redundant.values():
        if t.cost is not None and t.cost.monthly:
            by_hand[t.cost.currency] += t.cost.monthly
    assert dict(summary.avoidable) == dict(by_hand)
    for finding in findings:  # a finding's saving is its redundant tools' cost, nothing else
        assert dict(finding.potential_saving) == {
            c: a for c, a in spend_by_currency(finding.redundant).items() if a
        }


@few
@given(tools=stacks(), owned_layers=owned, data=st.data())
def test_accepting_one_finding_never_removes_or_quiets_another(
    tools: list[StackTool], owned_layers: set[int], data: st.DataObject
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)
    if not findings:
        return
    chosen = data.draw(st.sampled_from(findings))

    again = analyse(
        tools, owned_layers=owned_layers, today=TODAY, accepted={chosen.id: chosen.fingerprint}
    )

    assert [f.id for f in again] == [f.id for f in findings]
    assert [f.id for f in again if f.accepted] == [chosen.id]


@few
@given(tools=stacks(), owned_layers=owned)
def test_a_tool_whose_main_jobs_nobody_else_does_is_never_redundant(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    active = [profile(t) for t in tools if t.active]
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)

    for finding in findings:
        for t in finding.redundant:
            mine = profile(t).primary
            others = [p.primary for p in active if p.tool.id != t.id and p.unit != profile(t).unit]
            assert mine <= frozenset().union(*others)
            assert finding.keep is not None
            # One tool does them all, or, when `keepers` says so, several do between them.
            keepers = finding.keepers or (finding.keep,)
            assert mine <= frozenset().union(*(profile(k).primary for k in keepers))
            assert all(k.id != t.id and profile(k).unit != profile(t).unit for k in keepers)


@few
@given(tools=stacks(), owned_layers=owned)
def test_a_compute_tool_never_appears_in_a_platform_finding(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    for finding in analyse(tools, owned_layers=owned_layers, today=TODAY):
        if finding.kind == "platform-paid-twice":
            assert not any(profile(t).compute for t in finding.tools)


@few
@given(tools=stacks(), owned_layers=owned, data=st.data())
def test_it_gives_the_same_answer_whatever_the_order_of_the_tools(
    tools: list[StackTool], owned_layers: set[int], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(tools))

    first = analyse(tools, owned_layers=owned_layers, today=TODAY)

    assert analyse(shuffled, owned_layers=owned_layers, today=TODAY) == first
    assert analyse(tools, owned_layers=owned_layers, today=TODAY) == first


@few
@given(tools=stacks(), owned_layers=owned, data=st.data())
def test_it_forgets_a_tool_once_it_is_retired(
    tools: list[StackTool], owned_layers: set[int], data: st.DataObject
) -> None:
    active = [t for t in tools if t.active]
    if not active:
        return
    leaving = data.draw(st.sampled_from(active))
    rest = [dataclasses.replace(t, active=False) if t is leaving else t for t in tools]

    findings = analyse(rest, owned_layers=owned_layers, today=TODAY)

    assert all(t.id != leaving.id for f in findings for t in f.tools)


@few
@given(tools=stacks(), owned_layers=owned)
def test_it_names_only_active_tools_under_unique_well_formed_ids(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)

    ids = [f.id for f in findings]
    assert len(set(ids)) == len(ids)
    assert all(ID.match(i) and len(i) <= MAX_ID for i in ids)
    for finding in findings:
        assert finding.kind in KINDS
        assert finding.action
        assert all(t.active and t in tools for t in finding.tools)
        assert set(finding.redundant) <= set(finding.tools)
        assert list(finding.tools) == sorted(finding.tools, key=lambda t: (t.name.casefold(), t.id))
        assert set(finding.layers) <= set(LAYER_BY_NUMBER)


@few
@given(tools=stacks(), owned_layers=owned)
def test_no_tools_cost_is_the_saving_of_two_open_findings(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)

    claimed = [t.id for f in findings if not f.accepted for t in f.redundant]
    assert len(claimed) == len(set(claimed))


@few
@given(tools=stacks(), owned_layers=owned)
def test_a_tool_billed_by_use_is_never_a_saving_nor_the_tool_kept(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    for finding in analyse(tools, owned_layers=owned_layers, today=TODAY):
        assert not any(profile(t).usage_billed for t in finding.redundant)
        if finding.redundant:
            assert finding.keep is not None
            assert not any(profile(k).usage_billed for k in finding.keepers or (finding.keep,))


@few
@given(tools=stacks(), owned_layers=owned, data=st.data())
def test_accepting_any_finding_changes_nothing_else(
    tools: list[StackTool], owned_layers: set[int], data: st.DataObject
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)
    if not findings:
        return
    chosen = data.draw(st.sampled_from(findings))

    again = analyse(
        tools, owned_layers=owned_layers, today=TODAY, accepted={chosen.id: chosen.fingerprint}
    )

    assert [f for f in again if f.id != chosen.id] == [f for f in findings if f.id != chosen.id]
    assert dataclasses.replace(next(f for f in again if f.id == chosen.id), accepted=False) == (
        chosen
    )


@few
@given(tools=stacks(), owned_layers=owned)
def test_a_dropped_tool_is_never_the_tool_kept_in_another_finding(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)

    dropped = {t.id for f in findings for t in f.redundant}
    assert all(k.id not in dropped for f in findings for k in (*f.keepers, *filter(None, [f.keep])))


@few
@given(tools=stacks(), owned_layers=owned)
def test_the_open_findings_savings_add_up_to_the_avoidable_total(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)
    summary = summarise(findings, tools)

    added: dict[str, Decimal] = defaultdict(Decimal)
    for finding in findings:
        if not finding.accepted:
            for currency, amount in finding.potential_saving.items():
                added[currency] += amount
    assert dict(added) == dict(summary.avoidable)
    assert set(summary.tidy).isdisjoint(summary.redundant)
