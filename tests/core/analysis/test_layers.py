"""Layer by layer: crowded layers, the spend share, gaps and thin layers."""

from __future__ import annotations

from core.layers import LAYERS
from tests.core.analysis.helpers import by_id, catalog_tool, covered, names, of_kind, run, tool


def test_it_reports_a_layer_with_more_tools_than_main_jobs() -> None:
    tools = [
        tool(1, "Evidently", ("drift-detection",)),
        tool(2, "WhyLabs", ("drift-detection",)),
        tool(3, "Fiddler", ("drift-detection",)),
    ]

    [over] = [f for f in run(*tools) if f.rule == "tools-exceed-capabilities"]

    assert over.id == "over-observability-tools"
    assert over.reason == "Observability has 3 tools for 1 main job (drift-detection)."


def test_it_does_not_count_a_platform_in_a_layer_where_it_has_no_main_job() -> None:
    # Lakehouse is registered in observability (layers:) but does no job there.
    lakehouse = tool(1, "Lakehouse", ("model-serving",), layers=(2, 6), platform=True)
    evidently = tool(2, "Evidently", ("drift-detection",))

    assert [f for f in run(lakehouse, evidently) if f.rule == "tools-exceed-capabilities"] == []


def test_the_spend_share_stays_quiet_on_a_small_stack() -> None:
    tools = [
        tool(1, "Pinecone", ("vector-search",), cost=500),
        tool(2, "Arize", ("drift-detection",), cost=60),
        tool(3, "Evidently", ("data-quality",), cost=40),
    ]

    assert [f for f in run(*tools) if f.rule == "spend-share"] == []


def test_the_spend_share_speaks_on_a_stack_of_meaningful_size() -> None:
    tools = [
        tool(1, "Arize", ("drift-detection",), cost=24000),
        tool(2, "Pinecone", ("vector-search",), cost=6000),
        tool(3, "vLLM", ("llm-serving",), cost=4000),
        tool(4, "CoreWeave", ("gpu-compute",), cost=90000),  # compute is left out
    ]

    [share] = [f for f in run(*tools) if f.rule == "spend-share"]

    assert share.id == "over-observability-spend"
    assert "$24,000 of $34,000" in share.reason


def test_a_model_api_typed_by_hand_is_left_out_of_the_spend_share_and_named_as_left_out() -> None:
    # A provider's models with a gateway on top, typed by hand: still a token bill.
    tools = [
        tool(1, "Mistral La Plateforme", ("hosted-model-api", "model-gateway"), cost=40000),
        tool(2, "Arize", ("drift-detection",), cost=24000),
        tool(3, "Pinecone", ("vector-search",), cost=6000),
        tool(4, "vLLM", ("llm-serving",), cost=4000),
        catalog_tool(5, "OpenAI API", cost=9000),  # evaluation is its side feature
    ]

    findings = run(*tools)

    [share] = [f for f in findings if f.rule == "spend-share"]
    assert share.id == "over-observability-spend"
    assert (
        "$24,000 of $34,000 (leaving out compute and $49,000 billed by use) a month" in share.reason
    )
    assert names(share.tools) == ["Arize"]  # the tools whose cost makes the figure
    assert not [f for f in findings if f.id == "over-inference-spend"]


def test_two_model_apis_do_not_crowd_a_layer() -> None:
    tools = [
        catalog_tool(1, "OpenAI API"),
        catalog_tool(2, "Anthropic API"),
        catalog_tool(3, "vLLM"),
    ]

    assert [f for f in run(*tools) if f.rule == "tools-exceed-capabilities"] == []


def test_it_reports_each_empty_layer_as_a_gap_in_layer_order() -> None:
    findings = run(tool(1, "vLLM", ("llm-serving",)))

    assert [f.id for f in of_kind(findings, "gap")] == [
        f"gap-{layer.key}" for layer in LAYERS if layer.number != 2
    ]


def test_governance_with_only_access_control_is_thin() -> None:
    immuta = tool(1, "Immuta", ("access-control",), cost=3000)

    [thin] = of_kind(run(immuta, *covered(skip={7})), "thin-layer")

    assert thin.id == "thin-governance"
    assert thin.capabilities == ("audit-logging", "compliance")
    assert (
        thin.reason
        == "Governance is thin: nothing does audit-logging or compliance as its main job."
    )
    assert thin.action == "Add or register tools for audit-logging and compliance in Governance."


def test_an_empty_governance_layer_is_a_gap_not_also_thin() -> None:
    findings = run(tool(1, "vLLM", ("llm-serving",)))

    assert of_kind(findings, "thin-layer") == []
    assert "gap-governance" in by_id(findings)


def test_an_owned_layer_is_thin_when_its_core_needs_are_uncovered() -> None:
    pinecone = tool(1, "Pinecone", ("vector-search",))

    findings = run(pinecone, *covered(skip={4}), owned_layers={4})

    thin = by_id(findings)["thin-data"]
    assert thin.capabilities == (
        "data-warehouse", "data-pipelines", "data-ingestion", "data-transformation"
    )  # fmt: skip
    assert thin.reason == (
        "Data and vector databases is thin: nothing does data-warehouse or any of "
        "data-pipelines, data-ingestion and data-transformation as its main job."
    )


def test_a_layer_nobody_owns_is_not_called_thin() -> None:
    findings = run(tool(1, "Pinecone", ("vector-search",)), *covered())

    assert "thin-data" not in by_id(findings)


def test_a_layer_whose_core_needs_are_met_is_not_thin() -> None:
    tools = [
        tool(1, "Okta", ("access-control",)),
        tool(2, "Vanta", ("audit-logging", "compliance")),
        *covered(skip={7}),
    ]

    assert of_kind(run(*tools, owned_layers={7}), "thin-layer") == []
