"""The seven layers of an AI infrastructure stack and the capabilities under each."""

from __future__ import annotations

from dataclasses import dataclass

from core.text import normalise


@dataclass(frozen=True, slots=True)
class Layer:
    number: int
    key: str
    title: str
    aliases: tuple[str, ...]
    capabilities: tuple[str, ...]


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
        ),
    ),
    Layer(
        3,
        "training",
        "Training orchestration",
        (
            *("training orchestration", "orchestration", "experiments", "pipelines", "train"),
            *("experiment tracking", "ml pipelines", "fine tuning"),
        ),
        ("distributed-training", "experiment-tracking", "ml-pipelines", "hyperparameter-tuning"),
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
        ),
    ),
    Layer(
        7,
        "governance",
        "Governance",
        (
            *("compliance", "audit", "access control", "security", "responsible ai", "policy"),
            *("ai governance", "data governance"),
        ),
        ("access-control", "audit-logging", "compliance", "responsible-ai"),
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


_CAPABILITY_KEYS: dict[str, str] = {}
for _capability in CAPABILITIES:
    _CAPABILITY_KEYS.setdefault(normalise(_capability), _capability)


def find_capability(text: str) -> str | None:
    return _CAPABILITY_KEYS.get(normalise(text))
