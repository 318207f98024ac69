from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis import KINDS, MAX_ID, Finding, analyse, summary_counts
from core.catalog import load_catalog
from core.layers import CAPABILITIES, CAPABILITY_LAYER, LAYER_BY_NUMBER, LAYERS
from core.money import Cost, Period
from core.stack import StackTool

TODAY = date(2026, 11, 28)
ALICE = "UALICE"  # owns every tool unless a test says otherwise
ID = re.compile(r"^[a-z0-9-]+$")


def tool(
    id: int,
    name: str,
    layers: Sequence[int],
    caps: Sequence[str] = (),
    *,
    cost: str | int | None = None,
    currency: str = "USD",
    period: Period = "month",
    catalog_key: str | None = None,
    sourcing: str | None = None,
    owner: str | None = ALICE,
    active: bool = True,
    review: date | None = None,
) -> StackTool:
    return StackTool(
        id=id,
        name=name,
        layers=tuple(layers),
        capabilities=tuple(caps),
        catalog_key=catalog_key,
        sourcing=sourcing,
        cost=None if cost is None else Cost(Decimal(cost), currency, period),
        owner_id=owner,
        active=active,
        next_review_on=review,
    )


def run(
    *tools: StackTool,
    owned_layers: Collection[int] = (),
    accepted: Mapping[str, str] | None = None,
) -> list[Finding]:
    return analyse(tools, owned_layers=owned_layers, today=TODAY, accepted=accepted)


def of_kind(findings: Sequence[Finding], kind: str) -> list[Finding]:
    return [finding for finding in findings if finding.kind == kind]


def by_id(findings: Sequence[Finding]) -> dict[str, Finding]:
    return {finding.id: finding for finding in findings}


def names(finding: Finding) -> list[str]:
    return [t.name for t in finding.tools]


def usd(amount: str | int) -> dict[str, Decimal]:
    return {"USD": Decimal(amount)}


# A stack that covers all seven layers, so gap findings stay out of the way.
def covered(start: int = 900) -> list[StackTool]:
    return [
        tool(start + layer.number, f"zz {layer.key}", (layer.number,), (layer.capabilities[-1],))
        for layer in LAYERS
    ]


# --- platform-paid-twice --------------------------------------------------------------------


def test_it_reports_one_platform_paid_twice_naming_every_separate_tool() -> None:
    platform = tool(
        1,
        "Lakehouse",
        (2, 5, 6),
        ("model-serving", "model-registry", "drift-detection"),
        cost=5000,
    )
    serving = tool(2, "Seldon Core", (2,), ("model-serving",), cost=800)
    registry = tool(3, "Verta", (5,), ("model-registry",), cost=300)
    drift = tool(4, "Evidently", (6,), ("drift-detection",), cost=150)

    findings = run(platform, serving, registry, drift)

    [twice] = of_kind(findings, "platform-paid-twice")
    assert twice.id == "twice-t1"
    assert twice.rule == "spans-layers"
    assert names(twice) == ["Evidently", "Lakehouse", "Seldon Core", "Verta"]
    assert twice.capabilities == ("model-serving", "model-registry", "drift-detection")
    assert twice.layers == (2, 5, 6)
    assert twice.potential_saving == usd(1250)
    assert twice.monthly_cost == usd(6250)
    assert "Lakehouse" in twice.reason
    assert of_kind(findings, "duplicate-capability") == []


def test_it_knows_a_catalog_platform_by_its_kind_even_in_one_layer() -> None:
    sagemaker = tool(
        1, "SageMaker", (2,), ("model-serving",), cost=2000, catalog_key="amazon-sagemaker"
    )
    bento = tool(2, "BentoML", (2,), ("model-serving",), cost=400)

    [twice] = of_kind(run(sagemaker, bento), "platform-paid-twice")

    assert twice.id == "twice-amazon-sagemaker"
    assert twice.rule == "catalog-platform"
    assert twice.potential_saving == usd(400)


def test_it_reports_two_platforms_overlapping_as_a_duplicate_capability() -> None:
    one = tool(1, "Platform A", (2, 3, 5), ("model-serving", "ml-pipelines", "model-registry"))
    two = tool(2, "Platform B", (2, 6, 7), ("model-serving", "drift-detection", "compliance"))
    separate = tool(3, "KServe", (2,), ("model-serving",), cost=100)

    findings = run(one, two, separate)

    assert {f.id for f in of_kind(findings, "platform-paid-twice")} == {"twice-t1", "twice-t2"}
    [duplicate] = of_kind(findings, "duplicate-capability")
    assert duplicate.id == "dup-model-serving"
    assert names(duplicate) == ["Platform A", "Platform B"]


def test_it_treats_weights_and_biases_from_the_catalog_as_a_platform() -> None:
    mlflow = tool(1, "MLflow", (3,), ("experiment-tracking",), cost=200, catalog_key="mlflow")
    wandb = tool(
        2,
        "Weights & Biases",
        (3,),
        ("experiment-tracking",),
        cost=1200,
        catalog_key="weights-and-biases",
    )

    findings = run(mlflow, wandb)

    [twice] = of_kind(findings, "platform-paid-twice")
    assert twice.potential_saving == usd(200)
    assert of_kind(findings, "duplicate-capability") == []


# --- duplicate-capability -------------------------------------------------------------------


def test_it_reports_mlflow_and_wandb_tracking_experiments_saving_the_cheaper() -> None:
    mlflow = tool(1, "MLflow", (3,), ("experiment-tracking",), cost=200, catalog_key="mlflow")
    wandb = tool(2, "Weights & Biases", (3,), ("experiment-tracking",), cost=1200)

    [duplicate] = of_kind(run(mlflow, wandb), "duplicate-capability")

    assert duplicate.id == "dup-experiment-tracking"
    assert duplicate.rule == "capability"
    assert duplicate.layers == (3,)
    assert names(duplicate) == ["MLflow", "Weights & Biases"]
    assert duplicate.monthly_cost == usd(1400)
    assert duplicate.potential_saving == usd(200)
    assert "most expensive" in duplicate.saving_basis


def test_it_reports_mlflow_and_wandb_from_the_catalog_as_two_platforms_overlapping() -> None:
    catalog = load_catalog().by_key
    mlflow, wandb = catalog["mlflow"], catalog["weights-and-biases"]
    tools = [
        tool(1, mlflow.name, mlflow.layers, mlflow.capabilities, cost=200, catalog_key="mlflow"),
        tool(2, wandb.name, wandb.layers, wandb.capabilities, cost=1200, catalog_key=wandb.key),
    ]

    duplicates = by_id(of_kind(run(*tools), "duplicate-capability"))

    tracking = duplicates["dup-experiment-tracking"]
    assert names(tracking) == ["MLflow", "Weights & Biases"]
    assert tracking.potential_saving == usd(200)
    assert set(duplicates) == {
        f"dup-{c}" for c in set(mlflow.capabilities) & set(wandb.capabilities)
    }


def test_it_totals_money_per_currency_and_never_converts() -> None:
    tools = [
        tool(1, "Comet", (3,), ("experiment-tracking",), cost=100),
        tool(2, "Neptune", (3,), ("experiment-tracking",), cost=300),
        tool(3, "ClearML", (3,), ("experiment-tracking",), cost=500, currency="EUR"),
        tool(4, "Aim", (3,), ("experiment-tracking",), cost=1200, currency="EUR", period="year"),
    ]

    [duplicate] = of_kind(run(*tools), "duplicate-capability")

    assert duplicate.monthly_cost == {"EUR": Decimal(600), "USD": Decimal(400)}
    assert duplicate.potential_saving == {"USD": Decimal(100), "EUR": Decimal(100)}
    assert list(duplicate.monthly_cost) == ["EUR", "USD"]  # largest first


def test_it_counts_a_tool_without_a_cost_as_zero() -> None:
    priced = tool(1, "Pinecone", (4,), ("vector-search",), cost=700)
    free = tool(2, "Qdrant", (4,), ("vector-search",))

    [duplicate] = of_kind(run(priced, free), "duplicate-capability")

    assert duplicate.monthly_cost == usd(700)
    assert duplicate.potential_saving == {}


# --- duplicate-registration -----------------------------------------------------------------


def test_it_reports_one_catalog_tool_registered_under_two_names() -> None:
    one = tool(1, "MLflow", (3,), ("experiment-tracking",), cost=100, catalog_key="mlflow")
    two = tool(2, "MLflow Tracking", (3,), ("experiment-tracking",), cost=250, catalog_key="mlflow")

    findings = run(one, two)

    [registration] = of_kind(findings, "duplicate-registration")
    assert registration.id == "reg-mlflow"
    assert registration.rule == "catalog-alias"
    assert names(registration) == ["MLflow", "MLflow Tracking"]
    assert registration.potential_saving == usd(100)
    assert of_kind(findings, "duplicate-capability") == []


def test_it_still_reports_a_registered_twice_tool_against_a_third() -> None:
    one = tool(1, "MLflow", (3,), ("experiment-tracking",), catalog_key="mlflow")
    two = tool(2, "MLflow Tracking", (3,), ("experiment-tracking",), catalog_key="mlflow")
    other = tool(3, "Comet", (3,), ("experiment-tracking",))

    [duplicate] = of_kind(run(one, two, other), "duplicate-capability")

    assert names(duplicate) == ["Comet", "MLflow", "MLflow Tracking"]


# --- over-investment ------------------------------------------------------------------------


def test_it_reports_a_layer_with_more_tools_than_capabilities() -> None:
    tools = [
        tool(1, "Arize", (6,), ("drift-detection",)),
        tool(2, "Fiddler", (6,), ("drift-detection", "model-evaluation")),
        tool(3, "WhyLabs", (6,), ("model-evaluation",)),
    ]

    findings = by_id(run(*tools))

    over = findings["over-observability-tools"]
    assert over.kind == "over-investment"
    assert over.rule == "tools-exceed-capabilities"
    assert over.layers == (6,)
    assert over.capabilities == ("drift-detection", "model-evaluation")
    assert "3 tools for 2 capabilities" in over.reason


def test_it_reports_a_layer_holding_more_than_half_the_non_compute_spend() -> None:
    tools = [
        tool(1, "Vanta", (7,), ("compliance",), cost=900),
        tool(2, "vLLM", (2,), ("llm-serving",), cost=100),
        tool(3, "EC2", (1,), ("gpu-compute",), cost=50000),  # compute is left out
    ]

    [share] = [f for f in run(*tools) if f.rule == "spend-share"]

    assert share.id == "over-governance-spend"
    assert share.kind == "over-investment"
    assert share.layers == (7,)
    assert "$900 of $1,000" in share.reason


def test_it_splits_a_multi_layer_tool_evenly_for_the_spend_share() -> None:
    both = tool(1, "Gateway", (2, 6), ("model-gateway", "llm-tracing"), cost=1000)
    tracing = tool(2, "Langfuse", (6,), ("llm-tracing",), cost=100)

    shares = {f.id for f in run(both, tracing) if f.rule == "spend-share"}

    # observability holds 500 + 100 of 1,100; inference only 500
    assert shares == {"over-observability-spend"}


def test_it_judges_the_spend_share_per_currency() -> None:
    tools = [
        tool(1, "Vanta", (7,), ("compliance",), cost=100),
        tool(2, "vLLM", (2,), ("llm-serving",), cost=900),
        tool(3, "Drata", (7,), ("audit-logging",), cost=800, currency="EUR"),
        tool(4, "Ray Serve", (2,), ("model-serving",), cost=100, currency="EUR"),
    ]

    shares = by_id([f for f in run(*tools) if f.rule == "spend-share"])

    assert set(shares) == {"over-inference-spend", "over-governance-spend"}
    assert "$900 of $1,000" in shares["over-inference-spend"].reason
    assert "€800 of €900" in shares["over-governance-spend"].reason


def test_it_needs_two_non_compute_layers_with_tools_for_a_spend_share() -> None:
    tools = [
        tool(1, "vLLM", (2,), ("llm-serving",), cost=900),
        tool(2, "EC2", (1,), ("gpu-compute",), cost=100),
    ]

    assert [f for f in run(*tools) if f.rule == "spend-share"] == []


# --- build-vs-buy ---------------------------------------------------------------------------


def test_it_says_rent_this_for_a_tool_built_outside_the_owned_layers() -> None:
    built = tool(42, "Homegrown feature store", (4,), ("feature-store",), sourcing="build")
    kept = tool(43, "Our trainer", (3,), ("distributed-training",), sourcing="build")

    [finding] = of_kind(run(built, kept, owned_layers={3}), "build-vs-buy")

    assert finding.id == "build-t42"
    assert finding.rule == "build-outside-owned"
    assert finding.layers == (4,)
    assert "rent this" in finding.reason


def test_it_flags_an_owned_layer_that_is_all_rented() -> None:
    bought = tool(7, "Credo AI", (7,), ("responsible-ai",), sourcing="buy")

    [finding] = of_kind(run(bought, owned_layers={7}), "build-vs-buy")

    assert finding.id == "bought-t7"
    assert finding.rule == "bought-only-owned"
    assert finding.layers == (7,)
    assert "own Governance but rent all of it" in finding.reason


def test_it_does_not_flag_an_owned_layer_with_more_than_one_tool() -> None:
    tools = [
        tool(1, "Credo AI", (7,), ("responsible-ai",), sourcing="buy"),
        tool(2, "Our audit log", (7,), ("audit-logging",), sourcing="build"),
    ]

    assert of_kind(run(*tools, owned_layers={7}), "build-vs-buy") == []


def test_it_says_rent_this_for_a_home_built_vector_database_by_rule_of_thumb() -> None:
    vectors = tool(5, "Our vector DB", (4,), ("vector-search", "data-warehouse"), sourcing="build")
    warehouse = tool(6, "Our warehouse", (4,), ("data-warehouse",), sourcing="build")

    [finding] = of_kind(run(vectors, warehouse), "build-vs-buy")

    assert finding.id == "build-t5"
    assert finding.rule == "rent-this"
    assert finding.capabilities == ("vector-search",)


# --- gap ------------------------------------------------------------------------------------


def test_it_reports_each_empty_layer_as_a_gap() -> None:
    tools = [t for t in covered() if t.layers != (7,)]

    [gap] = of_kind(run(*tools), "gap")

    assert gap.id == "gap-governance"
    assert gap.layers == (7,)
    assert gap.tools == ()


def test_it_reports_all_seven_gaps_for_an_empty_stack_in_layer_order() -> None:
    assert [f.id for f in run()] == [f"gap-{layer.key}" for layer in LAYERS]


# --- stale-record ---------------------------------------------------------------------------


def test_it_reports_a_tool_with_no_owner() -> None:
    [stale] = of_kind(run(tool(42, "Orphan", (2,), owner=None)), "stale-record")

    assert (stale.id, stale.rule) == ("owner-t42", "no-owner")


def test_it_reports_a_review_that_is_overdue_but_not_one_due_today() -> None:
    late = tool(1, "Late", (2,), review=TODAY - timedelta(days=1))
    due = tool(2, "Due", (2,), review=TODAY)

    [stale] = of_kind(run(late, due), "stale-record")

    assert (stale.id, stale.rule, names(stale)) == ("review-t1", "review-overdue", ["Late"])


# --- what must not fire ---------------------------------------------------------------------


def test_it_finds_nothing_but_gaps_for_one_tool_alone() -> None:
    findings = run(tool(1, "vLLM", (2,), ("llm-serving", "model-serving"), cost=100))

    assert {f.kind for f in findings} == {"gap"}


def test_it_finds_nothing_for_two_tools_with_disjoint_capabilities_in_one_layer() -> None:
    tools = [
        tool(1, "Pinecone", (4,), ("vector-search",), cost=100),
        tool(2, "Snowflake", (4,), ("data-warehouse",), cost=100),
    ]

    assert {f.kind for f in run(*tools)} == {"gap"}


def test_it_never_names_a_retired_tool() -> None:
    retired = tool(
        9, "Old tracker", (3,), ("experiment-tracking",), active=False, owner=None, cost=10
    )
    live = tool(1, "MLflow", (3,), ("experiment-tracking",))

    findings = run(retired, live, *covered())

    assert all(t.id != 9 for f in findings for t in f.tools)
    assert of_kind(findings, "duplicate-capability") == []


# --- acceptance and order -------------------------------------------------------------------


def test_it_marks_a_finding_accepted_until_the_tools_behind_it_change() -> None:
    tools = [
        tool(1, "MLflow", (3,), ("experiment-tracking",)),
        tool(2, "Comet", (3,), ("experiment-tracking",)),
    ]
    [first] = of_kind(run(*tools), "duplicate-capability")
    accepted = {first.id: first.fingerprint}

    [again] = of_kind(run(*tools, accepted=accepted), "duplicate-capability")
    assert again.accepted

    third = tool(3, "Neptune", (3,), ("experiment-tracking",))
    [changed] = of_kind(run(*tools, third, accepted=accepted), "duplicate-capability")
    assert changed.id == first.id
    assert changed.fingerprint != first.fingerprint
    assert not changed.accepted


def test_it_keeps_the_fingerprint_when_a_tool_is_renamed() -> None:
    tools = [
        tool(1, "MLflow", (3,), ("experiment-tracking",)),
        tool(2, "Comet", (3,), ("experiment-tracking",)),
    ]
    renamed = [tools[0], dataclasses.replace(tools[1], name="Comet ML")]

    [before] = of_kind(run(*tools), "duplicate-capability")
    [after] = of_kind(run(*renamed), "duplicate-capability")

    assert before.fingerprint == after.fingerprint


def test_it_counts_open_findings_per_kind() -> None:
    findings = run(tool(1, "Orphan", (2,), owner=None), tool(2, "Other orphan", (3,), owner=None))
    accepted = {"owner-t1": by_id(findings)["owner-t1"].fingerprint}

    counts = summary_counts(run(tool(1, "Orphan", (2,), owner=None), accepted=accepted))

    assert list(counts) == list(KINDS)
    assert counts["stale-record"] == 0
    assert counts["gap"] == 6


def test_it_sorts_by_kind_then_most_money_then_layer() -> None:
    tools = [
        tool(1, "Comet", (3,), ("experiment-tracking",), cost=100),
        tool(2, "Neptune", (3,), ("experiment-tracking",), cost=100),
        tool(3, "Pinecone", (4,), ("vector-search",), cost=500),
        tool(4, "Weaviate", (4,), ("vector-search",), cost=500),
        tool(5, "Orphan", (2,), owner=None),
    ]

    findings = run(*tools)

    assert [f.kind for f in findings] == sorted((f.kind for f in findings), key=KINDS.index)
    duplicates = [f.id for f in of_kind(findings, "duplicate-capability")]
    assert duplicates == ["dup-vector-search", "dup-experiment-tracking"]
    gaps = [f.layers[0] for f in of_kind(findings, "gap")]
    assert gaps == sorted(gaps)


def test_it_keeps_ids_unique_for_catalog_keys_that_spell_alike() -> None:
    tools = [
        tool(1, "A", (2,), catalog_key="Odd Key"),
        tool(2, "B", (2,), catalog_key="Odd Key"),
        tool(3, "C", (2,), catalog_key="odd-key"),
        tool(4, "D", (2,), catalog_key="odd-key"),
    ]

    ids = [f.id for f in of_kind(run(*tools), "duplicate-registration")]

    assert sorted(ids) == ["reg-odd-key", "reg-odd-key-2"]


# --- properties -----------------------------------------------------------------------------

CATALOG = load_catalog().entries
NAMES = ("Alpha", "beta", "Gamma", "alpha", "Delta", "Ray", "MLflow", "W&B")
SOURCINGS = (None, "build", "buy", "open-source")

costs = st.none() | st.builds(
    Cost,
    amount=st.decimals(
        min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False
    ),
    currency=st.sampled_from(("USD", "EUR")),
    period=st.sampled_from(("month", "year")),
)


@st.composite
def a_tool(draw: st.DrawFn, tool_id: int, without: str | None) -> StackTool:
    if draw(st.booleans()):
        entry = draw(st.sampled_from(CATALOG))
        layers, capabilities, key = entry.layers, entry.capabilities, entry.key
    else:
        layers = tuple(draw(st.lists(st.integers(1, 7), min_size=1, max_size=4, unique=True)))
        offered = [c for c in CAPABILITIES if CAPABILITY_LAYER[c] in layers]
        capabilities = tuple(draw(st.lists(st.sampled_from(offered), max_size=4, unique=True)))
        key = None
    return StackTool(
        id=tool_id,
        name=draw(st.sampled_from(NAMES)),
        layers=layers,
        capabilities=tuple(c for c in capabilities if c != without),
        catalog_key=key,
        sourcing=draw(st.sampled_from(SOURCINGS)),
        cost=draw(costs),
        owner_id=draw(st.sampled_from((None, ALICE, "UBOB"))),
        active=draw(st.integers(0, 4)) > 0,
        next_review_on=draw(st.none() | st.dates(TODAY - timedelta(400), TODAY + timedelta(400))),
    )


@st.composite
def stacks(draw: st.DrawFn, without: str | None = None) -> list[StackTool]:
    ids = draw(st.lists(st.integers(1, 10_000), max_size=20, unique=True))
    return [draw(a_tool(tool_id, without)) for tool_id in ids]


owned = st.sets(st.integers(1, 7), max_size=3)
few = settings(max_examples=60, deadline=None)


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
@given(data=st.data())
def test_it_never_reports_a_capability_nobody_else_has_as_a_duplicate(
    data: st.DataObject,
) -> None:
    fresh = data.draw(st.sampled_from(CAPABILITIES))
    tools = data.draw(stacks(without=fresh))
    newcomer = tool(10_001, "Newcomer", (CAPABILITY_LAYER[fresh],), (fresh,), cost=999)

    before = of_kind(analyse(tools, today=TODAY), "duplicate-capability")
    after = of_kind(analyse([*tools, newcomer], today=TODAY), "duplicate-capability")

    assert [f.id for f in after] == [f.id for f in before]
    assert all(newcomer not in f.tools for f in after)


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
def test_it_names_only_active_tools_from_the_input_under_unique_ids(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)

    ids = [f.id for f in findings]
    assert len(set(ids)) == len(ids)
    assert all(ID.match(i) and len(i) <= MAX_ID for i in ids)
    for finding in findings:
        assert finding.kind in KINDS
        assert all(t.active and t in tools for t in finding.tools)
        assert list(finding.tools) == sorted(finding.tools, key=lambda t: (t.name.casefold(), t.id))
        assert set(finding.layers) <= set(LAYER_BY_NUMBER)


@few
@given(tools=stacks(), owned_layers=owned)
def test_it_accepts_exactly_the_findings_whose_fingerprints_match(
    tools: list[StackTool], owned_layers: set[int]
) -> None:
    findings = analyse(tools, owned_layers=owned_layers, today=TODAY)
    accepted = {f.id: f.fingerprint for f in findings[::2]}

    again = analyse(tools, owned_layers=owned_layers, today=TODAY, accepted=accepted)

    assert [f.accepted for f in again] == [f.id in accepted for f in again]
    assert sum(summary_counts(again).values()) == len(again) - len(accepted)


@pytest.mark.parametrize("kind", KINDS)
def test_it_has_an_example_for_every_kind(kind: str) -> None:
    tools = [
        tool(1, "MLflow", (3,), ("experiment-tracking",), catalog_key="mlflow"),
        tool(2, "MLflow again", (3,), ("experiment-tracking",), catalog_key="mlflow"),
        tool(3, "Comet", (3,), ("experiment-tracking",)),
        tool(4, "Lakehouse", (2, 5, 6), ("model-serving", "model-registry", "drift-detection")),
        tool(5, "KServe", (2,), ("model-serving",), sourcing="build", owner=None),
    ]

    assert of_kind(run(*tools, owned_layers={3}), kind)


def test_it_does_not_call_the_only_layer_paid_in_a_currency_over_invested() -> None:
    findings = run(
        tool(1, "Pinecone", (4,), ("vector-search",), cost=500),
        tool(2, "Arize", (6,), ("drift-detection",), cost=900, currency="EUR"),
        tool(3, "Evidently", (6,), ("data-quality",), cost=100),
    )
    spend_rules = [f for f in of_kind(findings, "over-investment") if f.rule == "spend-share"]
    # Data holds $500 of $600; observability is the only layer paid in EUR, which says nothing.
    assert [f.layers for f in spend_rules] == [(4,)]


def test_it_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    run(tool(1, "A", (2,), ("model-serving",)))
    assert gc.isenabled()
    gc.disable()
    try:
        run(tool(1, "A", (2,), ("model-serving",)))
        assert not gc.isenabled()
    finally:
        gc.enable()
