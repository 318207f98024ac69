"""Paying twice: platforms, groups of tools doing one job, compute, registrations."""

from __future__ import annotations

from core.analysis import summarise
from tests.core.analysis.helpers import by_id, covered, names, of_kind, run, tool, usd

# A platform of the team's own (`platform:yes`): serving, a registry and drift detection.
LAKEHOUSE = tool(
    1, "Lakehouse", ("model-serving", "model-registry", "drift-detection"), cost=5000,
    platform=True,
)  # fmt: skip


def test_it_claims_only_the_tools_a_platform_fully_covers_as_a_saving() -> None:
    serving = tool(2, "Seldon Core", ("model-serving",), cost=800)
    registry = tool(3, "Verta", ("model-registry",), cost=300)
    drift = tool(4, "Evidently", ("drift-detection", "data-quality"), cost=150)

    found = by_id(of_kind(run(LAKEHOUSE, serving, registry, drift), "platform-paid-twice"))

    # One decision per tool: each redundant tool its own finding, the partial one to review.
    assert sorted(found) == ["twice-t1-t2", "twice-t1-t3", "twice-t1-t4"]
    seldon, verta, evidently = found["twice-t1-t2"], found["twice-t1-t3"], found["twice-t1-t4"]
    assert names(seldon.redundant) == ["Seldon Core"]
    assert seldon.keep == LAKEHOUSE
    assert seldon.potential_saving == usd(800)
    assert seldon.yearly_saving == usd(9600)
    assert (
        seldon.action == "Keep Lakehouse, drop Seldon Core for model-serving: $800/mo, $9,600/yr."
    )
    assert verta.potential_saving == usd(300)
    assert evidently.rule == "partial"
    assert evidently.redundant == ()
    assert evidently.action == (
        "Review Evidently against Lakehouse: Lakehouse does not do its data-quality, so no "
        "saving is claimed."
    )


def test_a_partial_overlap_with_a_platform_claims_no_saving() -> None:
    vertex = tool(1, "Vertex", ("vector-search", "model-serving", "ml-pipelines"), platform=True)
    warehouse = tool(2, "BigQuery", ("data-warehouse", "vector-search"), cost=9000)

    [twice] = of_kind(run(vertex, warehouse), "platform-paid-twice")

    assert twice.id == "twice-t1-t2"
    assert twice.rule == "partial"
    assert twice.potential_saving == {}
    assert twice.redundant == ()
    assert (
        twice.reason
        == "BigQuery and Vertex both do vector-search; BigQuery alone does data-warehouse."
    )
    assert twice.action == (
        "Review BigQuery against Vertex: Vertex does not do its data-warehouse, so no saving is "
        "claimed."
    )


def test_a_tool_in_three_layers_is_not_a_platform_unless_someone_says_so() -> None:
    mlflow = tool(1, "MLflow", ("experiment-tracking", "model-registry", "model-evaluation"))
    kubeflow = tool(2, "Kubeflow Pipelines", ("ml-pipelines",), cost=400)
    evidently = tool(3, "Evidently", ("drift-detection", "data-quality"), cost=150)

    findings = run(mlflow, kubeflow, evidently)

    assert of_kind(findings, "platform-paid-twice") == []
    assert of_kind(findings, "duplicate-capability") == []


def test_a_team_can_say_a_catalog_platform_is_not_one_here() -> None:
    lakehouse = tool(1, "Lakehouse", ("model-serving", "model-registry"), cost=5000, platform=False)
    serving = tool(2, "Seldon Core", ("model-serving",), cost=800)

    findings = run(lakehouse, serving)

    assert of_kind(findings, "platform-paid-twice") == []
    [dup] = of_kind(findings, "duplicate-capability")
    assert names(dup.redundant) == ["Seldon Core"]  # Lakehouse still does its job


def test_compute_never_doubles_a_platform_or_a_point_tool() -> None:
    sagemaker = tool(
        1, "SageMaker", ("gpu-compute", "model-serving", "serverless-inference"), cost=9000,
        platform=True,
    )  # fmt: skip
    ec2 = tool(2, "Amazon EC2", ("gpu-compute", "cpu-compute"), cost=22000)
    modal = tool(3, "Modal", ("serverless-inference", "gpu-compute"), cost=700)

    findings = run(sagemaker, ec2, modal)

    paying_twice = [
        f for f in findings if f.kind in ("platform-paid-twice", "duplicate-capability")
    ]
    assert paying_twice
    assert all("Amazon EC2" not in names(f.tools) for f in paying_twice)
    assert summarise(findings, [sagemaker, ec2, modal]).avoidable == {}


def test_two_gpu_clouds_are_an_overlap_to_review_with_no_saving() -> None:
    coreweave = tool(1, "CoreWeave", ("gpu-compute",), cost=42000)
    lambda_ = tool(2, "Lambda", ("gpu-compute",), cost=8000)

    [dup] = of_kind(run(coreweave, lambda_), "duplicate-capability")

    assert dup.rule == "compute"
    assert dup.potential_saving == {}
    assert "billed by use" in dup.action


def test_it_reports_one_finding_for_two_tools_sharing_two_capabilities() -> None:
    pinecone = tool(1, "Pinecone", ("vector-search", "embedding-store"), cost=500)
    qdrant = tool(2, "Qdrant", ("vector-search", "embedding-store"), cost=300)

    [dup] = of_kind(run(pinecone, qdrant), "duplicate-capability")

    assert dup.id == "dup-t1-t2"
    assert dup.capabilities == ("vector-search", "embedding-store")
    assert dup.group == "Data and vector databases: vector-search"
    # Both do the whole job; on a tie the dearer is kept, so the smaller saving is claimed.
    assert dup.keep == pinecone
    assert dup.potential_saving == usd(300)
    assert dup.reason == (
        "Pinecone already does all that Qdrant is for (vector-search and embedding-store); "
        "same main jobs; Pinecone is kept as the dearer, so the smaller saving is claimed."
    )
    assert dup.action == (
        "Keep Pinecone, drop Qdrant for vector-search and embedding-store: $300/mo, $3,600/yr."
    )


def test_it_keeps_the_tool_that_covers_the_group_best_not_the_dearest() -> None:
    arize = tool(1, "Arize", ("drift-detection", "model-monitoring", "llm-tracing"), cost=2500)
    whylabs = tool(2, "WhyLabs", ("drift-detection",), cost=3000)

    [dup] = of_kind(run(arize, whylabs), "duplicate-capability")

    assert dup.keep == arize
    assert names(dup.redundant) == ["WhyLabs"]
    assert dup.potential_saving == usd(3000)


def test_it_never_proposes_dropping_a_tool_whose_main_job_the_kept_one_lacks() -> None:
    evidently = tool(1, "Evidently", ("drift-detection", "data-quality"), cost=150)
    arize = tool(2, "Arize", ("drift-detection", "model-monitoring"), cost=2500)

    [dup] = of_kind(run(evidently, arize), "duplicate-capability")

    assert dup.rule == "partial"
    assert dup.redundant == ()
    assert dup.potential_saving == {}
    assert dup.reason == (
        "Arize and Evidently both do drift-detection; Arize alone does model-monitoring; "
        "Evidently alone does data-quality."
    )
    assert dup.action == (
        "Review Arize and Evidently for drift-detection: neither does all of the other's main "
        "jobs, so no saving is claimed."
    )


def test_tools_sharing_no_main_job_do_not_overlap() -> None:
    dbt = tool(1, "dbt", ("data-pipelines",), cost=1000)
    monte_carlo = tool(2, "Monte Carlo", ("data-quality",), cost=2000)

    assert of_kind(run(dbt, monte_carlo), "duplicate-capability") == []


def test_each_tool_a_wider_one_covers_is_a_pair_of_its_own() -> None:
    a = tool(1, "Pinecone", ("vector-search",), cost=500)
    b = tool(2, "Weaviate", ("vector-search", "embedding-store"), cost=400)
    c = tool(3, "Chroma", ("embedding-store",), cost=100)

    found = by_id(of_kind(run(a, b, c), "duplicate-capability"))

    assert sorted(found) == ["dup-t2-t1", "dup-t2-t3"]
    assert names(found["dup-t2-t1"].tools) == ["Pinecone", "Weaviate"]
    assert found["dup-t2-t1"].action == (
        "Keep Weaviate, drop Pinecone for vector-search: $500/mo, $6,000/yr."
    )
    assert found["dup-t2-t3"].potential_saving == usd(100)


def test_accepting_the_platform_finding_leaves_the_duplicates_among_its_tools_open() -> None:
    evidently = tool(2, "Evidently", ("drift-detection",), cost=150)
    arize = tool(3, "Arize", ("drift-detection", "llm-tracing"), cost=2500)
    first = by_id(run(LAKEHOUSE, evidently, arize))
    # Evidently goes to the kept tool closest to it, Arize; Arize is a review against Lakehouse.
    twice = first["twice-t1-t3"]

    again = by_id(run(LAKEHOUSE, evidently, arize, accepted={twice.id: twice.fingerprint}))

    assert again["twice-t1-t3"].accepted
    assert not again["dup-t3-t2"].accepted
    assert names(again["dup-t3-t2"].redundant) == ["Evidently"]


def test_the_avoidable_total_counts_each_tool_once() -> None:
    evidently = tool(2, "Evidently", ("drift-detection",), cost=100)
    whylabs = tool(3, "WhyLabs", ("drift-detection",), cost=50)
    tools = [LAKEHOUSE, evidently, whylabs, *covered()]
    findings = run(*tools)

    # Each redundant tool is the saving of one finding only: no cost is claimed twice.
    assert by_id(findings)["twice-t1-t2"].potential_saving == usd(100)
    assert by_id(findings)["twice-t1-t3"].potential_saving == usd(50)
    assert [f for f in findings if f.kind == "duplicate-capability" and f.redundant] == []
    assert summarise(findings, tools).avoidable == usd(150)


def test_platforms_doing_each_others_jobs_are_one_finding() -> None:
    big = tool(1, "Databricks", ("data-warehouse", "ml-pipelines", "model-serving"), cost=30000,
               platform=True)  # fmt: skip
    small = tool(2, "Dataiku", ("ml-pipelines", "model-serving"), cost=8000, platform=True)

    [twice] = [f for f in run(big, small) if f.rule == "platforms"]

    assert twice.kind == "platform-paid-twice"
    assert twice.keep == big
    assert names(twice.redundant) == ["Dataiku"]
    assert twice.potential_saving == usd(8000)


def test_one_product_registered_twice_is_a_record_to_merge_not_a_saving() -> None:
    a = tool(1, "W&B", ("experiment-tracking",), cost=1000, catalog_key="weights-and-biases")
    b = tool(2, "wandb", ("experiment-tracking",), cost=1000, catalog_key="weights-and-biases")

    findings = run(a, b)

    [reg] = of_kind(findings, "duplicate-registration")
    assert reg.potential_saving == {}
    assert reg.action.startswith("Keep one record of Weights & Biases")
    assert of_kind(findings, "duplicate-capability") == []


def test_it_totals_money_per_currency_and_never_converts() -> None:
    pinecone = tool(1, "Pinecone", ("vector-search",), cost=500)
    qdrant = tool(2, "Qdrant", ("vector-search",), cost=300, currency="EUR")

    [dup] = of_kind(run(pinecone, qdrant), "duplicate-capability")

    assert dict(dup.monthly_cost) == {"USD": 500, "EUR": 300}
    # No exchange rates: which is dearer cannot be said, and the saving stays in its currency.
    assert len(dup.potential_saving) == 1
    assert dict(dup.potential_saving) in ({"EUR": 300}, {"USD": 500})


def test_a_second_registration_doing_part_of_the_first_is_named_as_the_one_to_fold_in() -> None:
    main = tool(1, "W&B", ("experiment-tracking", "llm-tracing"), cost=2000,
                catalog_key="weights-and-biases")  # fmt: skip
    seats = tool(2, "wandb seats", ("experiment-tracking",), cost=300,
                 catalog_key="weights-and-biases")  # fmt: skip

    [reg] = of_kind(run(main, seats), "duplicate-registration")

    assert reg.potential_saving == {}
    assert reg.action.endswith(
        "wandb seats does only part of what another does: it is the one to fold in."
    )
