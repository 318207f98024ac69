from __future__ import annotations

import pytest

from core.catalog import CatalogError, load_catalog, parse_catalog
from core.layers import CAPABILITY_LAYER, LAYERS, find_capability, find_layer

REQUIRED = ["vLLM", "Triton", "KServe", "Kubeflow", "Ray Train", "MLflow", "Evidently",
            "Weights & Biases", "Arize", "SageMaker", "Vertex AI", "Azure ML", "Databricks",
            "Snowflake"]  # fmt: skip


def test_it_has_at_least_80_entries_including_every_named_tool() -> None:
    catalog = load_catalog()
    assert len(catalog.entries) >= 80
    for name in REQUIRED:
        assert catalog.find(name) is not None, name


def test_it_lists_every_layer_a_platform_covers() -> None:
    catalog = load_catalog()
    platforms = [e for e in catalog.entries if e.platform]
    assert len(platforms) >= 5
    for entry in platforms:
        assert len(entry.layers) >= 2
        for capability in entry.capabilities:
            assert CAPABILITY_LAYER[capability] in entry.layers


def test_every_entry_has_a_primary_capability_apart_from_its_secondary_ones() -> None:
    for entry in load_catalog().entries:
        assert entry.primary, entry.key
        assert not set(entry.primary) & set(entry.secondary), entry.key
        assert set(entry.capabilities) == {*entry.primary, *entry.secondary}


@pytest.mark.parametrize(
    "name",
    ["MLflow", "Ray", "Weights & Biases", "Amazon Bedrock", "Fiddler", "Arize", "Snowflake"],
)
def test_tools_that_merely_touch_several_layers_are_not_platforms(name: str) -> None:
    entry = load_catalog().find(name)
    assert entry is not None
    assert not entry.platform


@pytest.mark.parametrize(
    ("name", "primary", "not_primary"),
    [
        # Vendor facts the analysis rests on (core/catalog.toml cites the documentation).
        ("Apache Kafka", "event-streaming", "data-pipelines"),
        ("dbt", "data-transformation", "data-quality"),
        ("BigQuery", "data-warehouse", "vector-search"),
        ("Modal", "serverless-inference", "hosted-model-api"),
        ("Credo AI", "compliance", "responsible-ai"),
        ("Ray", "distributed-training", "cluster-scheduling"),
    ],
)
def test_it_keeps_main_jobs_apart_from_side_features(
    name: str, primary: str, not_primary: str
) -> None:
    entry = load_catalog().find(name)
    assert entry is not None
    assert primary in entry.primary
    assert not_primary not in entry.primary


def test_it_finds_tools_by_alias_ignoring_case_and_spacing() -> None:
    catalog = load_catalog()
    assert catalog.find("wandb") == catalog.find("Weights & Biases")
    assert catalog.find("VLLM") == catalog.find("vLLM")


def test_it_suggests_the_closest_tool_for_a_typo() -> None:
    suggestion = load_catalog().suggest("mlfow")
    assert suggestion is not None
    assert suggestion.name == "MLflow"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"key": "x", "name": "X", "vendor": "v", "kind": "tool", "layers": ["data"],
          "capabilities": ["vector-search"]}, "kind"),
        ({"key": "x", "name": "X", "vendor": "v", "kind": "open-source", "layers": ["dta"],
          "capabilities": ["vector-search"]}, "unknown layers"),
        ({"key": "x", "name": "X", "vendor": "v", "kind": "open-source", "layers": ["data"],
          "capabilities": ["llm-serving"]}, "outside its layers"),
        ({"key": "x", "name": "X", "vendor": "v", "kind": "managed-service", "platform": True,
          "layers": ["data"], "capabilities": ["vector-search"]}, "at least two layers"),
        ({"key": "x", "name": "X", "vendor": "v", "kind": "open-source", "layers": ["data"],
          "capabilities": []}, "at least one primary"),
        ({"key": "x", "name": "X", "vendor": "v", "kind": "open-source", "layers": ["data"],
          "capabilities": ["vector-search"], "secondary": ["vector-search"]}, "both primary"),
        ({"key": "x", "name": "X", "vendor": "v", "kind": "open-source", "layers": ["data"],
          "capabilities": ["vector-search"], "platform": "yes"}, "true or false"),
        ({"key": "X!", "name": "X", "vendor": "v", "kind": "open-source", "layers": ["data"],
          "capabilities": ["vector-search"]}, "key must be"),
    ],
)  # fmt: skip
def test_it_refuses_a_catalog_with_a_bad_entry(row: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog({"tool": [row]})


def test_it_refuses_two_tools_sharing_a_name() -> None:
    row = {"name": "X", "vendor": "v", "kind": "open-source", "layers": ["data"],
           "capabilities": ["vector-search"]}  # fmt: skip
    with pytest.raises(CatalogError, match="also a name"):
        parse_catalog({"tool": [{"key": "a", **row}, {"key": "b", **row, "aliases": []}]})


def test_it_names_layers_by_number_key_title_or_alias() -> None:
    assert all(find_layer(str(layer.number)) is layer for layer in LAYERS)
    assert find_layer("serving") is find_layer("Inference and serving")
    assert find_layer("vector") is find_layer("data")
    assert find_layer("monitoring") is find_layer("6")
    assert find_layer("nonsense") is None
    assert find_capability("Vector Search") == "vector-search"


def test_every_platform_main_job_names_the_vendor_page_that_shows_it() -> None:
    for entry in load_catalog().entries:
        if entry.platform:
            assert set(entry.primary) <= set(entry.sources), entry.key
        assert all(url.startswith("https://") for url in entry.sources.values()), entry.key


def test_sagemaker_model_monitor_is_left_out_with_the_page_that_closes_it() -> None:
    # AWS's Model Monitor pages say it is no longer open to new customers.
    sagemaker = load_catalog().by_key["amazon-sagemaker"]
    assert "model-monitoring" not in sagemaker.capabilities
    assert sagemaker.sources["model-monitoring"].endswith("/model-monitor-availability-change.html")


def test_it_refuses_a_platform_whose_main_job_has_no_source() -> None:
    row = {
        "key": "p", "name": "P", "vendor": "V", "kind": "managed-service", "platform": True,
        "layers": ["inference", "mlops"], "capabilities": ["model-serving", "model-registry"],
        "sources": {"model-serving": "https://example.com/serving"},
    }  # fmt: skip
    with pytest.raises(CatalogError, match="sources needed for model-registry"):
        parse_catalog({"tool": [row]})


def test_a_laptop_runner_is_marked_local_and_new_capabilities_have_words_for_them() -> None:
    catalog = load_catalog()
    assert catalog.by_key["ollama"].local
    assert not catalog.by_key["vllm"].local
    assert find_capability("model-inventory") == "model-risk-management"
    assert find_capability("embeddings") == "embeddings-api"
    assert find_capability("Prompt Injection") == "ai-security"
    governance = next(layer for layer in LAYERS if layer.key == "governance")
    assert "data-catalog" in governance.help
