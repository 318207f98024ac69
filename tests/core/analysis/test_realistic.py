"""Stacks as teams really run them, registered from the catalog, judged as an advisor would.

Each test names the vendor fact it rests on; the catalog (core/catalog.toml) carries them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.analysis import Finding, summarise
from core.stack import StackTool
from tests.core.analysis.helpers import by_id, catalog_tool, names, of_kind, run, tool, usd


def paying_twice(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind in ("platform-paid-twice", "duplicate-capability")]


def test_an_aws_shop_tidies_up_mlflow_and_reviews_wandb_not_ec2_or_bedrock() -> None:
    # SageMaker bills its own instances and hosts managed MLflow; Bedrock serves the vendors'
    # models per token; EC2 is what the team's own jobs run on. W&B is tracking and, with
    # Weave, LLM traces and evaluations, which SageMaker does not do as its own.
    tools = [
        catalog_tool(1, "Amazon SageMaker", cost=20000),
        catalog_tool(2, "Amazon EC2", cost=22000),
        catalog_tool(3, "MLflow"),
        catalog_tool(4, "Weights & Biases", cost=1500),
        catalog_tool(5, "Amazon Bedrock", cost=5000),
        catalog_tool(6, "Snowflake", cost=15000),
    ]
    findings = by_id(run(*tools))

    mlflow = findings["twice-amazon-sagemaker-mlflow"]
    assert mlflow.rule == "tidy-up"
    assert names(mlflow.redundant) == ["MLflow"]
    assert mlflow.action.startswith("Tidy up: drop MLflow, Amazon SageMaker already does its")
    wandb = findings["twice-amazon-sagemaker-weights-and-biases"]
    assert wandb.rule == "partial"
    assert wandb.potential_saving == {}
    assert all(
        n not in names(f.tools)
        for f in paying_twice(list(findings.values()))
        for n in ("Amazon EC2", "Amazon Bedrock", "Snowflake")
    )
    summary = summarise(findings.values(), tools)
    assert summary.avoidable == {}
    assert names(summary.tidy) == ["MLflow"]  # no cost: a record to tidy up, not money


def test_wandb_used_only_for_tracking_beside_sagemaker_is_a_saving_dated_by_its_contract() -> None:
    sagemaker = catalog_tool(1, "Amazon SageMaker", cost=20000)
    wandb = tool(
        4, "Weights & Biases", ("experiment-tracking",), cost=18000, period="year",
        catalog_key="weights-and-biases", renews=date(2027, 1, 31), notice=45,
    )  # fmt: skip
    findings = run(sagemaker, wandb)

    [twice] = [f for f in findings if f.redundant]
    assert twice.decide_by == date(2026, 12, 17)
    assert twice.action == (
        "Keep Amazon SageMaker, drop Weights & Biases for experiment-tracking: $1,500/mo, "
        "$18,000/yr, cancel by 17 Dec 2026."
    )
    summary = summarise(findings, [sagemaker, wandb])
    assert summary.avoidable == usd(1500)
    assert summary.yearly == usd(18000)
    assert summary.realisable_by == date(2026, 12, 17)


def test_a_databricks_enterprise_reviews_wandb_and_not_kafka_dbt_or_credo() -> None:
    # Databricks runs managed MLflow, but W&B Weave's LLM traces and evaluations are not its
    # main jobs; it has no event log (Kafka), its pipelines are not dbt's modelling, and its
    # governance is a side feature, not an AI compliance programme.
    tools = [
        catalog_tool(1, "Databricks", cost=60000),
        catalog_tool(2, "Weights & Biases", cost=4000),
        catalog_tool(3, "Apache Kafka", cost=5000),
        catalog_tool(4, "dbt", cost=2000),
        catalog_tool(5, "Monte Carlo", cost=3500),
        catalog_tool(6, "Credo AI", cost=2000),
        catalog_tool(7, "Fivetran", cost=2500),
    ]
    findings = run(*tools)

    review = by_id(findings)["twice-databricks-weights-and-biases"]
    assert review.rule == "partial"
    assert "does not do its llm-tracing and model-evaluation" in review.action
    involved = {n for f in paying_twice(findings) for n in names(f.tools)}
    assert involved == {"Databricks", "Weights & Biases"}
    assert summarise(findings, tools).avoidable == {}


def test_a_vertex_team_keeps_bigquery_and_moves_claude_without_a_claimed_saving() -> None:
    # BigQuery is a warehouse with vector search on the side; Vertex AI serves Claude per token.
    tools = [
        catalog_tool(1, "Vertex AI", cost=15000),
        catalog_tool(2, "BigQuery", cost=9000),
        catalog_tool(3, "Anthropic API", cost=3000),
    ]
    findings = run(*tools)

    twice = by_id(findings)["twice-vertex-ai-by-use"]
    assert all("BigQuery" not in names(f.tools) for f in paying_twice(findings))
    assert twice.potential_saving == {}
    assert "billed by use" in twice.action
    assert summarise(findings, tools).avoidable == {}


def test_a_genai_startup_sees_its_doubled_vector_database_not_modal_against_an_llm_api() -> None:
    tools = [
        catalog_tool(1, "CoreWeave", cost=42000),
        catalog_tool(2, "vLLM"),
        catalog_tool(3, "OpenAI API", cost=12000),
        catalog_tool(4, "Modal", cost=700),
        catalog_tool(5, "Pinecone", cost=2400),
        catalog_tool(6, "Qdrant", cost=300),
    ]
    findings = run(*tools)

    [vectors] = [f for f in paying_twice(findings) if "Pinecone" in names(f.tools)]
    assert names(vectors.tools) == ["Pinecone", "Qdrant"]
    assert "vector-search" in vectors.capabilities
    assert all("Modal" not in names(f.tools) for f in paying_twice(findings))
    assert [f.id for f in findings if f.rule == "spend-share"] == []  # API tokens, not tooling


def test_ray_does_not_cover_the_schedulers_it_runs_on() -> None:
    tools = [catalog_tool(1, "Ray"), catalog_tool(2, "Slurm"), catalog_tool(3, "Amazon EKS")]

    assert all("Ray" not in names(f.tools) for f in paying_twice(run(*tools)))


def test_a_research_lab_that_built_its_vector_database_is_told_to_rent_it() -> None:
    vectors = tool(4, "VecStore", ("vector-search", "embedding-store"), sourcing="build")
    tools: list[StackTool] = [catalog_tool(1, "Slurm"), catalog_tool(2, "Ray"), vectors]

    finding = by_id(run(*tools, owned_layers={1, 3, 4}))["build-t4"]

    assert finding.rule == "rent-this"
    assert finding.reason.endswith("are commodities.")


def test_a_fintech_that_owns_governance_sees_its_overlaps_apart() -> None:
    tools = [
        catalog_tool(1, "Amazon SageMaker", cost=12000),
        tool(2, "Policy engine", ("access-control", "audit-logging"), sourcing="build"),
        tool(
            3, "Model risk reviews", ("model-risk-management", "responsible-ai"), sourcing="build"
        ),
        catalog_tool(4, "Credo AI", cost=3000),
        catalog_tool(5, "Fiddler", cost=4000),
        catalog_tool(6, "Arize", cost=2500),
    ]
    findings = of_kind(run(*tools, owned_layers={7}), "duplicate-capability")

    # Fiddler's monitoring is Arize's main job and its responsible-AI checks the model-risk
    # process's: between them they do all Fiddler is for. A model inventory is not Credo AI's
    # compliance programme, and SageMaker's access control is a side feature.
    [fiddler] = findings
    assert fiddler.id == "cover-fiddler"
    assert names(fiddler.redundant) == ["Fiddler AI"]
    assert names(fiddler.keepers) == ["Arize", "Model risk reviews"]
    assert fiddler.reason == (
        "No one tool does all that Fiddler AI is for, but Arize and Model risk reviews do "
        "between them: Arize does model-monitoring and drift-detection; Model risk reviews does "
        "responsible-ai."
    )
    assert (
        fiddler.action
        == "Keep Arize and Model risk reviews, drop Fiddler AI: $4,000/mo, $48,000/yr."
    )


def test_a_multi_currency_company_never_adds_euros_to_dollars() -> None:
    tools = [
        catalog_tool(1, "Pinecone", cost=900, currency="EUR"),
        catalog_tool(2, "Weaviate", cost=400, currency="EUR"),
        catalog_tool(3, "MLflow"),
        catalog_tool(4, "Weights & Biases", cost=1000),
    ]
    findings = run(*tools)
    summary = summarise(findings, tools)

    # Pinecone and Weaviate both do the whole job: the dearer is kept, €400 claimed. W&B's
    # traces and evaluations are not MLflow's main jobs: a review, no saving.
    assert summary.avoidable == {"EUR": 400}
    assert (
        "Keep Pinecone, drop Weaviate for vector-search and embedding-store: €400/mo, €4,800/yr."
        in by_id(findings)["dup-pinecone-weaviate"].action
    )


def test_a_lean_team_gets_no_spend_share_lecture() -> None:
    tools = [
        catalog_tool(1, "OpenAI API", cost=400),
        catalog_tool(2, "Pinecone", cost=70),
        catalog_tool(3, "LangSmith", cost=39),
        catalog_tool(4, "Modal", cost=90),
    ]

    assert [f for f in run(*tools) if f.kind == "over-investment"] == []


def test_a_second_smaller_contract_of_a_vendor_is_the_redundant_one() -> None:
    # A team seats contract for W&B's tracking, beside the company's W&B contract; MLflow too.
    main = catalog_tool(1, "Weights & Biases", cost=4000)
    seats = tool(2, "W&B team seats", ("experiment-tracking",), cost=600)
    seats = replace(seats, vendor="Weights & Biases (CoreWeave)")
    findings = run(main, seats, catalog_tool(3, "MLflow"))

    [dropped] = [f for f in findings if f.redundant and f.potential_saving]
    assert names(dropped.redundant) == ["W&B team seats"]
    assert dropped.keep == main
    assert dropped.potential_saving == usd(600)
