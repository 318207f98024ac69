"""A team's word on whether a tool is a platform; catalog tools follow the catalog's new facts.

The catalog now tells a tool's primary capabilities from its secondary ones, and dropped a few
it listed before (features since closed to new customers). A catalog tool registered before
carries the old list: where a row's capabilities are all from the old list (the team added none
of its own), they become the current catalog's, kept to the layers the row is in. Rows a team
gave capabilities of its own are left as the team wrote them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.catalog import load_catalog
from core.layers import CAPABILITY_LAYER

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What core/catalog.toml listed for each tool before this revision.
OLD_CAPABILITIES: dict[str, tuple[str, ...]] = {
    "amazon-bedrock": ("llm-serving", "serverless-inference", "model-evaluation", "responsible-ai"),
    "amazon-eks": ("cluster-scheduling",),
    "amazon-redshift": ("data-warehouse",),
    "amazon-sagemaker": (
        "gpu-compute",
        "accelerators",
        "cluster-scheduling",
        "model-serving",
        "llm-serving",
        "serverless-inference",
        "distributed-training",
        "experiment-tracking",
        "ml-pipelines",
        "hyperparameter-tuning",
        "feature-store",
        "data-labeling",
        "model-registry",
        "ml-cicd",
        "model-monitoring",
        "drift-detection",
        "data-quality",
        "model-evaluation",
        "access-control",
        "responsible-ai",
    ),
    "anyscale": (
        "cluster-scheduling",
        "model-serving",
        "llm-serving",
        "distributed-training",
        "data-pipelines",
    ),
    "apache-airflow": ("ml-pipelines", "data-pipelines"),
    "apache-kafka": ("data-pipelines",),
    "apache-spark": ("data-pipelines",),
    "argo-workflows": ("ml-pipelines", "data-pipelines"),
    "arize": (
        "model-monitoring",
        "drift-detection",
        "data-quality",
        "llm-tracing",
        "model-evaluation",
    ),
    "arize-phoenix": ("llm-tracing", "model-evaluation"),
    "arthur": ("model-monitoring", "drift-detection", "model-evaluation", "responsible-ai"),
    "aws-ec2": ("gpu-compute", "cpu-compute", "accelerators", "bare-metal"),
    "azure-aks": ("cluster-scheduling",),
    "azure-machine-learning": (
        "gpu-compute",
        "cluster-scheduling",
        "model-serving",
        "distributed-training",
        "experiment-tracking",
        "ml-pipelines",
        "hyperparameter-tuning",
        "feature-store",
        "data-labeling",
        "model-registry",
        "model-monitoring",
        "drift-detection",
        "data-quality",
        "model-evaluation",
        "responsible-ai",
    ),
    "azure-openai": ("llm-serving", "serverless-inference", "responsible-ai"),
    "azure-virtual-machines": ("gpu-compute", "cpu-compute"),
    "baseten": ("model-serving", "llm-serving", "serverless-inference"),
    "bentoml": ("model-serving", "llm-serving"),
    "bigquery": ("data-warehouse", "vector-search"),
    "braintrust": ("llm-tracing", "model-evaluation"),
    "cerebras": ("accelerators", "llm-serving", "serverless-inference"),
    "chroma": ("vector-search", "embedding-store"),
    "clearml": (
        "cluster-scheduling",
        "model-serving",
        "experiment-tracking",
        "ml-pipelines",
        "hyperparameter-tuning",
        "model-registry",
    ),
    "cml": ("ml-cicd",),
    "collibra": ("data-quality", "access-control", "compliance"),
    "comet": ("experiment-tracking", "model-registry"),
    "coreweave": ("gpu-compute", "bare-metal", "cluster-scheduling"),
    "credo-ai": ("compliance", "responsible-ai"),
    "crusoe": ("gpu-compute",),
    "dagster": ("ml-pipelines", "data-pipelines"),
    "databricks": (
        "cpu-compute",
        "gpu-compute",
        "model-serving",
        "llm-serving",
        "serverless-inference",
        "model-gateway",
        "distributed-training",
        "experiment-tracking",
        "ml-pipelines",
        "data-warehouse",
        "vector-search",
        "feature-store",
        "data-pipelines",
        "model-registry",
        "ml-cicd",
        "model-monitoring",
        "drift-detection",
        "data-quality",
        "llm-tracing",
        "model-evaluation",
        "access-control",
        "audit-logging",
        "compliance",
    ),
    "datadog-llm-observability": ("llm-tracing", "model-evaluation", "inference-cost-tracking"),
    "dataiku": (
        "model-serving",
        "model-gateway",
        "experiment-tracking",
        "ml-pipelines",
        "hyperparameter-tuning",
        "data-labeling",
        "data-pipelines",
        "model-registry",
        "model-monitoring",
        "retraining-pipelines",
        "drift-detection",
        "data-quality",
        "inference-cost-tracking",
        "model-evaluation",
        "access-control",
        "audit-logging",
        "compliance",
        "responsible-ai",
    ),
    "datarobot": (
        "model-serving",
        "hyperparameter-tuning",
        "model-registry",
        "model-monitoring",
        "retraining-pipelines",
        "drift-detection",
        "model-evaluation",
        "audit-logging",
        "compliance",
        "responsible-ai",
    ),
    "dbt": ("data-pipelines", "data-quality"),
    "deepspeed": ("distributed-training",),
    "determined-ai": (
        "cluster-scheduling",
        "distributed-training",
        "experiment-tracking",
        "hyperparameter-tuning",
        "model-registry",
    ),
    "domino": (
        "cluster-scheduling",
        "model-serving",
        "distributed-training",
        "experiment-tracking",
        "model-registry",
        "model-monitoring",
        "drift-detection",
        "audit-logging",
        "compliance",
    ),
    "dvc": ("experiment-tracking", "ml-pipelines", "model-registry"),
    "elasticsearch": ("vector-search",),
    "evidently": ("model-monitoring", "drift-detection", "data-quality", "model-evaluation"),
    "faiss": ("vector-search",),
    "feast": ("feature-store",),
    "fiddler": ("model-monitoring", "drift-detection", "model-evaluation", "responsible-ai"),
    "fireworks-ai": ("llm-serving", "serverless-inference"),
    "fivetran": ("data-pipelines",),
    "flyte": ("ml-pipelines", "data-pipelines"),
    "galileo": ("llm-tracing", "model-evaluation", "responsible-ai"),
    "gke": ("cluster-scheduling",),
    "google-cloud-tpu": ("accelerators",),
    "google-compute-engine": ("gpu-compute", "cpu-compute"),
    "great-expectations": ("data-quality",),
    "groq": ("llm-serving", "serverless-inference"),
    "guardrails-ai": ("responsible-ai",),
    "h2o-ai": (
        "model-serving",
        "distributed-training",
        "hyperparameter-tuning",
        "model-registry",
        "model-monitoring",
        "drift-detection",
        "responsible-ai",
    ),
    "helicone": ("model-gateway", "llm-tracing", "inference-cost-tracking"),
    "hf-inference-endpoints": ("model-serving", "llm-serving"),
    "holistic-ai": ("compliance", "responsible-ai"),
    "hopsworks": ("model-serving", "feature-store", "model-registry"),
    "horovod": ("distributed-training",),
    "hugging-face-hub": ("model-registry",),
    "ibm-watsonx-governance": (
        "drift-detection",
        "model-evaluation",
        "compliance",
        "responsible-ai",
    ),
    "immuta": ("access-control", "audit-logging", "compliance"),
    "kserve": ("model-serving", "llm-serving", "serverless-inference"),
    "kubeflow": ("distributed-training", "ml-pipelines", "hyperparameter-tuning", "model-registry"),
    "kubernetes": ("cluster-scheduling",),
    "label-studio": ("data-labeling",),
    "labelbox": ("data-labeling",),
    "lakera": ("responsible-ai",),
    "lambda": ("gpu-compute",),
    "lancedb": ("vector-search", "embedding-store"),
    "langfuse": ("llm-tracing", "model-evaluation", "inference-cost-tracking"),
    "langsmith": ("llm-tracing", "model-evaluation", "inference-cost-tracking"),
    "litellm": ("model-gateway", "inference-cost-tracking"),
    "metaflow": ("ml-pipelines",),
    "microsoft-foundry": (
        "llm-serving",
        "serverless-inference",
        "model-gateway",
        "llm-tracing",
        "model-evaluation",
        "responsible-ai",
    ),
    "milvus": ("vector-search", "embedding-store"),
    "mlflow": ("experiment-tracking", "model-registry", "llm-tracing", "model-evaluation"),
    "modal": ("gpu-compute", "model-serving", "serverless-inference"),
    "modeldb": ("experiment-tracking",),
    "monte-carlo": ("data-quality",),
    "nebius": ("gpu-compute", "cluster-scheduling", "llm-serving"),
    "nemo-guardrails": ("responsible-ai",),
    "neptune": ("experiment-tracking",),
    "nvidia-dgx-cloud": ("gpu-compute",),
    "nvidia-dynamo": ("llm-serving",),
    "nvidia-nim": ("model-serving", "llm-serving"),
    "nvidia-run-ai": ("cluster-scheduling",),
    "ollama": ("llm-serving",),
    "onetrust-ai-governance": ("compliance", "responsible-ai"),
    "open-policy-agent": ("access-control", "audit-logging"),
    "openrouter": ("model-gateway",),
    "opensearch": ("vector-search",),
    "opik": ("llm-tracing", "model-evaluation"),
    "optuna": ("hyperparameter-tuning",),
    "paperspace": ("gpu-compute",),
    "pgvector": ("vector-search", "embedding-store"),
    "pinecone": ("vector-search", "embedding-store"),
    "portkey": ("model-gateway", "llm-tracing", "inference-cost-tracking"),
    "prefect": ("ml-pipelines", "data-pipelines"),
    "privacera": ("access-control", "audit-logging", "compliance"),
    "protect-ai": ("responsible-ai",),
    "qdrant": ("vector-search", "embedding-store"),
    "ray": (
        "cluster-scheduling",
        "model-serving",
        "distributed-training",
        "hyperparameter-tuning",
        "data-pipelines",
    ),
    "ray-serve": ("model-serving", "llm-serving"),
    "ray-train": ("distributed-training",),
    "redis": ("vector-search",),
    "replicate": ("model-serving", "serverless-inference"),
    "runpod": ("gpu-compute", "serverless-inference"),
    "scale-ai": ("data-labeling", "model-evaluation"),
    "seldon-core": ("model-serving",),
    "seldon-enterprise-platform": ("model-serving", "model-monitoring", "drift-detection"),
    "sglang": ("llm-serving",),
    "skypilot": ("cluster-scheduling", "model-serving"),
    "slurm": ("cluster-scheduling",),
    "snorkel": ("data-labeling", "model-evaluation"),
    "snowflake": (
        "model-serving",
        "llm-serving",
        "distributed-training",
        "data-warehouse",
        "vector-search",
        "feature-store",
        "data-pipelines",
        "model-registry",
        "model-monitoring",
        "drift-detection",
        "data-quality",
        "llm-tracing",
        "model-evaluation",
        "access-control",
        "audit-logging",
        "compliance",
    ),
    "soda": ("data-quality",),
    "tecton": ("feature-store",),
    "tensorrt-llm": ("llm-serving",),
    "tgi": ("llm-serving",),
    "together-ai": ("gpu-compute", "llm-serving", "serverless-inference", "distributed-training"),
    "torchserve": ("model-serving",),
    "triton": ("model-serving", "llm-serving"),
    "truera": ("drift-detection", "model-evaluation", "responsible-ai"),
    "trulens": ("llm-tracing", "model-evaluation"),
    "verta": ("model-registry",),
    "vertex-ai": (
        "model-serving",
        "llm-serving",
        "serverless-inference",
        "distributed-training",
        "experiment-tracking",
        "ml-pipelines",
        "hyperparameter-tuning",
        "feature-store",
        "vector-search",
        "model-registry",
        "model-monitoring",
        "drift-detection",
        "model-evaluation",
        "responsible-ai",
    ),
    "vllm": ("llm-serving", "model-serving"),
    "weaviate": ("vector-search", "embedding-store"),
    "weights-and-biases": (
        "experiment-tracking",
        "hyperparameter-tuning",
        "model-registry",
        "ml-cicd",
        "llm-tracing",
        "model-evaluation",
    ),
    "whylabs": ("model-monitoring", "drift-detection", "data-quality"),
    "zenml": ("ml-pipelines", "model-registry"),
    "zilliz-cloud": ("vector-search", "embedding-store"),
}


def upgrade() -> None:
    with op.batch_alter_table("tool") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("platform", sa.Boolean(), nullable=True))
    bind = op.get_bind()
    catalog = load_catalog()
    rows = bind.execute(
        sa.text(
            "SELECT id, catalog_key, layers, capabilities FROM tool WHERE catalog_key IS NOT NULL"
        )
    ).all()
    for tool_id, key, layers, capabilities in rows:
        entry = catalog.by_key.get(key)
        old = OLD_CAPABILITIES.get(key)
        stored = [str(c) for c in _loaded(capabilities)]
        if entry is None or old is None or not set(stored) <= set(old):
            continue
        in_layers = {n for n in _loaded(layers) if isinstance(n, int)}
        fresh = [c for c in entry.capabilities if CAPABILITY_LAYER.get(c) in in_layers]
        if fresh and fresh != stored:
            bind.execute(
                sa.text("UPDATE tool SET capabilities = :caps WHERE id = :id"),
                {"caps": json.dumps(fresh), "id": tool_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("tool") as batch:
        batch.drop_column("platform")


def _loaded(value: object) -> list[object]:
    """A JSON column as the driver hands it over: text on SQLite, a list on PostgreSQL."""
    loaded = json.loads(value) if isinstance(value, str) else value
    return list(loaded) if isinstance(loaded, list) else []
