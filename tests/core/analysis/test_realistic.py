"""Stacks as teams really run them, registered from the catalog, judged as an advisor would.

Each test names the vendor fact it rests on; the catalog (core/catalog.toml) carries them.
"""

from __future__ import annotations

from core.analysis import Finding, summarise
from core.stack import StackTool
from tests.core.analysis.helpers import by_id, catalog_tool, names, of_kind, run, tool, usd


def paying_twice(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind in ("platform-paid-twice", "duplicate-capability")]


def test_an_aws_shop_pays_twice_for_tracking_but_not_for_ec2_or_bedrock() -> None:
    # SageMaker bills its own instances and hosts managed MLflow; Bedrock serves the vendors'
    # models per token; EC2 is what the team's own jobs run on.
    tools = [
        catalog_tool(1, "Amazon SageMaker", cost=20000),
        catalog_tool(2, "Amazon EC2", cost=22000),
        catalog_tool(3, "MLflow"),
        catalog_tool(4, "Weights & Biases", cost=1500),
        catalog_tool(5, "Amazon Bedrock", cost=5000),
        catalog_tool(6, "Snowflake", cost=15000),
    ]
    findings = run(*tools)

    twice = by_id(findings)["twice-amazon-sagemaker"]
    assert names(twice.redundant) == ["MLflow", "Weights & Biases"]
    assert all(
        n not in names(f.tools)
        for f in paying_twice(findings)
        for n in ("Amazon EC2", "Amazon Bedrock", "Snowflake")
    )
    assert summarise(findings, tools).avoidable == usd(1500)  # W&B, once, though in two findings


def test_a_databricks_enterprise_pays_twice_for_wandb_not_for_kafka_dbt_or_credo() -> None:
    # Databricks runs managed MLflow; it has no event log (Kafka), its pipelines are not dbt's
    # modelling, and its governance is a side feature, not an AI compliance programme.
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

    assert names(by_id(findings)["twice-databricks"].redundant) == ["Weights & Biases"]
    involved = {n for f in paying_twice(findings) for n in names(f.tools)}
    assert involved == {"Databricks", "Weights & Biases"}
    assert summarise(findings, tools).avoidable == usd(4000)


def test_a_vertex_team_keeps_bigquery_and_moves_claude_without_a_claimed_saving() -> None:
    # BigQuery is a warehouse with vector search on the side; Vertex AI serves Claude per token.
    tools = [
        catalog_tool(1, "Vertex AI", cost=15000),
        catalog_tool(2, "BigQuery", cost=9000),
        catalog_tool(3, "Anthropic API", cost=3000),
    ]
    findings = run(*tools)

    twice = by_id(findings)["twice-vertex-ai"]
    assert "BigQuery" not in names(twice.tools)
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
        tool(3, "Model risk reviews", ("compliance", "responsible-ai"), sourcing="build"),
        catalog_tool(4, "Credo AI", cost=3000),
        catalog_tool(5, "Fiddler", cost=4000),
        catalog_tool(6, "Arize", cost=2500),
    ]
    groups = of_kind(run(*tools, owned_layers={7}), "duplicate-capability")

    # The monitors overlap each other; the compliance tools overlap each other; one tool in
    # both does not chain them into one finding.
    assert sorted(sorted(names(f.tools)) for f in groups) == [
        ["Arize", "Fiddler AI"],
        ["Credo AI", "Fiddler AI", "Model risk reviews"],
    ]
    assert all(f.potential_saving == {} for f in groups)


def test_a_multi_currency_company_never_adds_euros_to_dollars() -> None:
    tools = [
        catalog_tool(1, "Pinecone", cost=900, currency="EUR"),
        catalog_tool(2, "Weaviate", cost=400, currency="EUR"),
        catalog_tool(3, "MLflow"),
        catalog_tool(4, "Weights & Biases", cost=1000),
    ]
    findings = run(*tools)
    summary = summarise(findings, tools)

    # Pinecone and Weaviate both do the whole job: the dearer is kept, €400 claimed.
    assert summary.avoidable == {"USD": 1000, "EUR": 400}
    assert (
        "Retire Weaviate: Pinecone already does its work, €400/mo."
        in by_id(findings)["dup-vector-search"].action
    )


def test_a_lean_team_gets_no_spend_share_lecture() -> None:
    tools = [
        catalog_tool(1, "OpenAI API", cost=400),
        catalog_tool(2, "Pinecone", cost=70),
        catalog_tool(3, "LangSmith", cost=39),
        catalog_tool(4, "Modal", cost=90),
    ]

    assert [f for f in run(*tools) if f.kind == "over-investment"] == []
