"""Advice an expert would sign, cause by cause: every duplicate pair found and priced, the
right tool kept, tools billed by use never a saving, and each tool's cost claimed once.

Each test names the vendor facts it rests on; core/catalog.toml carries them with sources.
"""

from __future__ import annotations

from core.analysis import summarise
from tests.core.analysis.helpers import by_id, catalog_tool, names, of_kind, run, tool, usd


def test_two_data_catalogs_beside_two_access_control_products_are_two_priced_decisions() -> None:
    # Atlan and Alation are data catalogs; Immuta and Privacera enforce access and log it.
    tools = [
        catalog_tool(1, "Atlan", cost=3000),
        catalog_tool(2, "Alation", cost=5000),
        catalog_tool(3, "Immuta", cost=4000),
        catalog_tool(4, "Privacera", cost=3500),
    ]
    findings = run(*tools)

    catalogs = by_id(findings)["dup-alation-atlan"]
    access = by_id(findings)["dup-immuta-privacera"]
    assert catalogs.action == "Keep Alation, drop Atlan for data-catalog: $3,000/mo, $36,000/yr."
    assert access.potential_saving == usd(3500)
    assert summarise(findings, tools).avoidable == usd(6500)
    # Accepting one decision leaves the other exactly as it was.
    again = by_id(run(*tools, accepted={catalogs.id: catalogs.fingerprint}))
    assert again[catalogs.id].accepted
    assert again[access.id] == access


def test_two_llm_tracers_next_to_a_gateway_are_a_saving_and_the_gateway_a_review() -> None:
    # Langfuse and LangSmith trace and evaluate LLM apps; Portkey is a gateway that also traces.
    tools = [
        catalog_tool(1, "Langfuse", cost=500),
        catalog_tool(2, "LangSmith", cost=1200),
        catalog_tool(3, "Portkey", cost=800),
    ]
    findings = run(*tools)

    [saving] = [f for f in findings if f.potential_saving]
    assert names(saving.redundant) == ["Langfuse"]
    assert saving.keep is not None
    assert saving.keep.name == "LangSmith"
    review = by_id(findings)["overlap-langsmith-portkey"]
    assert review.rule == "partial"
    assert "Portkey alone does model-gateway and inference-cost-tracking" in review.reason


def test_the_production_server_is_kept_over_a_laptop_runner() -> None:
    # Ollama runs models on a laptop or a dev box; vLLM is a production server.
    ollama = catalog_tool(1, "Ollama", cost=200)
    vllm = catalog_tool(2, "vLLM", cost=100)

    [dup] = of_kind(run(ollama, vllm), "duplicate-capability")

    assert names(dup.redundant) == ["Ollama"]
    assert "vLLM is kept as a production server; Ollama is a laptop or dev-box runner" in (
        dup.reason
    )


def test_a_platforms_side_feature_never_makes_it_keep_a_point_tool() -> None:
    # Vertex AI has model monitoring and drift detection, but nobody buys it for them.
    findings = run(catalog_tool(1, "Vertex AI", cost=20000), catalog_tool(2, "WhyLabs", cost=2500))

    assert not [f for f in findings if f.redundant]
    assert not [f for f in findings if f.kind == "platform-paid-twice"]


def test_two_model_apis_are_never_each_others_saving() -> None:
    # Two providers' models are not one product, and their bills follow traffic.
    tools = [
        catalog_tool(1, "OpenAI API", cost=12000),
        catalog_tool(2, "Anthropic API", cost=8000),
        tool(3, "Voyage embeddings", ("embeddings-api",), cost=600),
    ]
    findings = run(*tools)

    [group] = of_kind(findings, "duplicate-capability")
    assert group.rule == "usage-billed"
    assert names(group.tools) == ["Anthropic API", "OpenAI API"]  # embeddings are another job
    assert summarise(findings, tools).avoidable == {}
    assert not [f for f in findings if f.kind == "over-investment"]


def test_mlflow_beside_two_platforms_is_claimed_once() -> None:
    # Databricks and SageMaker both run managed MLflow.
    tools = [
        catalog_tool(1, "Databricks", cost=50000),
        catalog_tool(2, "Amazon SageMaker", cost=20000),
        tool(3, "MLflow", ("experiment-tracking", "model-registry"), cost=900,
             catalog_key="mlflow"),
    ]  # fmt: skip
    findings = run(*tools)

    claims = [f for f in findings if any(t.name == "MLflow" for t in f.redundant)]
    assert len(claims) == 1
    assert summarise(findings, tools).avoidable == usd(900)


def test_a_model_inventory_is_not_a_data_catalog() -> None:
    findings = run(catalog_tool(1, "ModelOp", cost=6000), catalog_tool(2, "DataHub", cost=2000))

    assert of_kind(findings, "duplicate-capability") == []


def test_a_platform_registered_with_side_features_alone_keeps_no_point_tool() -> None:
    # Databricks traces LLM apps through MLflow, but nobody buys Databricks for that.
    databricks = tool(
        1, "Databricks", ("llm-tracing", "model-evaluation"), cost=40000, catalog_key="databricks"
    )
    findings = run(databricks, catalog_tool(2, "Langfuse", cost=500))

    assert not [f for f in findings if f.redundant]
