"""The seven layers of an AI infrastructure stack and the capabilities under each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.text import normalise


@dataclass(frozen=True, slots=True)
class Layer:
    number: int
    key: str
    title: str
    aliases: tuple[str, ...]
    capabilities: tuple[str, ...]
    # What a capability means where its key alone could mislead (`/stack help caps`).
    help: Mapping[str, str] = field(default_factory=dict)


LAYERS: tuple[Layer, ...] = (
    Layer(
        1,
        "compute",
        "Compute",
        (
            *("gpu", "gpus", "cpu", "tpu", "hardware", "cloud", "bare metal", "infra"),
            # Category words as spreadsheets and finance write them (core/importing.py).
            *("gpu cloud", "gpu clouds", "cloud gpu", "gpu compute", "cloud compute"),
        ),
        (
            "gpu-compute",
            "cpu-compute",
            "accelerators",
            "bare-metal",
            "cluster-scheduling",
            # Queues, quotas and fair share for GPU jobs (Slurm, Run:ai): not the same job as
            # running a Kubernetes cluster, on which such schedulers often sit.
            "gpu-scheduling",
        ),
    ),
    Layer(
        2,
        "inference",
        "Inference and serving",
        (
            *("serving", "serve", "inference and serving", "deployment", "llm serving"),
            *("llm api", "llm apis", "model api", "model apis", "inference api", "llm gateway"),
            *("model serving", "hosted models", "llm provider", "foundation models"),
        ),
        (
            "model-serving",
            "llm-serving",
            "serverless-inference",
            "model-gateway",
            # Per-token access to models the provider runs (OpenAI, Bedrock): no deployment of
            # the team's own, unlike llm-serving and serverless-inference.
            "hosted-model-api",
            # Per-token embeddings from a provider (OpenAI embeddings, Cohere Embed, Voyage AI):
            # a different model and a different job from a chat model's API.
            "embeddings-api",
        ),
        {
            "llm-serving": "running LLMs you choose (vLLM, TGI)",
            "serverless-inference": "scale-to-zero endpoints for your own models, billed by use",
            "hosted-model-api": "a provider's models per token (OpenAI, Bedrock), billed by use",
            "embeddings-api": "a provider's embedding models per token (Cohere Embed, Voyage AI), "
            "billed by use",
        },
    ),
    Layer(
        3,
        "training",
        "Training orchestration",
        (
            *("training orchestration", "orchestration", "experiments", "pipelines", "train"),
            *("experiment tracking", "ml pipelines", "fine tuning"),
        ),
        (
            "distributed-training",
            "experiment-tracking",
            "ml-pipelines",
            "hyperparameter-tuning",
            # Models searched for and trained from a table without code (DataRobot, H2O
            # Driverless AI, Vertex AutoML): not the same job as tuning a model you wrote.
            "automl",
        ),
        {"automl": "models found and trained without code (DataRobot, H2O Driverless AI)"},
    ),
    Layer(
        4,
        "data",
        "Data and vector databases",
        (
            "data and vector databases",
            "vector",
            "vectors",
            "vector database",
            "vectordb",
            "database",
            "warehouse",
            "features",
            "feature store",
            *("data labeling", "data labelling", "labeling", "labelling", "vector store"),
            *("vector db", "vector search", "data warehouse", "data platform", "data pipelines"),
        ),
        (
            "data-warehouse",
            "vector-search",
            "embedding-store",
            "feature-store",
            "data-labeling",
            "data-pipelines",
            # Three jobs data-pipelines is too coarse to tell apart: a durable event log
            # (Kafka), connectors that load sources into a warehouse (Fivetran), and modelling
            # data already in the warehouse (dbt).
            "event-streaming",
            "data-ingestion",
            "data-transformation",
        ),
        {
            "event-streaming": "a durable event log (Kafka, Kinesis)",
            "data-ingestion": "connectors that load sources into a warehouse (Fivetran)",
            "data-transformation": "modelling data already in the warehouse, as code (dbt)",
        },
    ),
    Layer(
        5,
        "mlops",
        "MLOps",
        ("ml ops", "registry", "model registry", "cicd", "ci/cd", "retraining", "ml platform"),
        ("model-registry", "ml-cicd", "model-monitoring", "retraining-pipelines"),
    ),
    Layer(
        6,
        "observability",
        "Observability",
        (
            *("monitoring", "drift", "data quality", "evaluation", "evals", "tracing", "o11y"),
            *("llm observability", "llm tracing", "llm evaluation", "ai observability"),
        ),
        (
            "drift-detection",
            "data-quality",
            "inference-cost-tracking",
            "llm-tracing",
            "model-evaluation",
            # Curated test sets and golden answers that evaluations run on (Scale Evaluation,
            # Patronus): the data, not the harness that scores a model against it.
            "evaluation-datasets",
        ),
        {"evaluation-datasets": "curated test sets and golden answers evaluations run on"},
    ),
    Layer(
        7,
        "governance",
        "Governance",
        (
            *("compliance", "audit", "access control", "security", "responsible ai", "policy"),
            *("ai governance", "data governance"),
        ),
        (
            "access-control",
            "audit-logging",
            "compliance",
            "responsible-ai",
            # What data exists, who owns it and where it came from (Unity Catalog, Atlan,
            # DataHub): an inventory of data, not of models, and not the control of access.
            "data-catalog",
            # An inventory of models with their risk tiers, validations and approvals (ModelOp,
            # ValidMind): model risk management as banking supervisors define it.
            "model-risk-management",
            # Attacks on models and AI apps: prompt injection, model scanning, red teaming
            # (Lakera, Protect AI, HiddenLayer); unlike responsible-ai, not about fairness.
            "ai-security",
        ),
        {
            "compliance": "AI or data regulation: obligations, assessments, evidence",
            "responsible-ai": "guardrails, bias and explainability",
            "data-catalog": "what data exists, its owners and lineage (Atlan, DataHub)",
            "model-risk-management": "a model inventory with risk tiers, validations and approvals",
            "ai-security": "prompt-injection defence, model scanning, AI red teaming",
        },
    ),
)

LAYER_BY_NUMBER: dict[int, Layer] = {layer.number: layer for layer in LAYERS}
LAYER_BY_KEY: dict[str, Layer] = {layer.key: layer for layer in LAYERS}

# Every capability belongs to exactly one layer.
CAPABILITY_LAYER: dict[str, int] = {
    capability: layer.number for layer in LAYERS for capability in layer.capabilities
}
CAPABILITIES: tuple[str, ...] = tuple(CAPABILITY_LAYER)


def _layer_names() -> dict[str, Layer]:
    names: dict[str, Layer] = {}
    for layer in LAYERS:
        for name in (str(layer.number), layer.key, layer.title, *layer.aliases):
            key = normalise(name)
            if key in names and names[key] is not layer:
                raise ValueError(f"layer name {name!r} is used twice")
            names[key] = layer
    return names


_LAYER_NAMES = _layer_names()


def layer_names() -> tuple[str, ...]:
    """Every spelling that names a layer, for suggestions."""
    return tuple(_LAYER_NAMES)


def find_layer(text: str) -> Layer | None:
    """The layer named by number, key, title or alias ("2", "serving", "Vector"), or None."""
    return _LAYER_NAMES.get(normalise(text))


# Other words people use for a capability.
CAPABILITY_ALIASES: dict[str, str] = {
    "embeddings": "embeddings-api",
    "embedding-api": "embeddings-api",
    "auto-ml": "automl",
    "model-inventory": "model-risk-management",
    "model-risk": "model-risk-management",
    "metadata-catalog": "data-catalog",
    "data-lineage": "data-catalog",
    "llm-security": "ai-security",
    "prompt-injection": "ai-security",
    "model-scanning": "ai-security",
    "eval-datasets": "evaluation-datasets",
    "golden-datasets": "evaluation-datasets",
}

_CAPABILITY_KEYS: dict[str, str] = {}
for _capability in CAPABILITIES:
    _CAPABILITY_KEYS.setdefault(normalise(_capability), _capability)
for _alias, _capability in CAPABILITY_ALIASES.items():
    _CAPABILITY_KEYS.setdefault(normalise(_alias), _capability)


def find_capability(text: str) -> str | None:
    """The capability `text` names, by its key or another word for it, or None."""
    return _CAPABILITY_KEYS.get(normalise(text))
