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
    platforms = [e for e in catalog.entries if e.kind == "platform"]
    assert len(platforms) >= 5
    for entry in platforms:
        assert len(entry.layers) >= 2
        for capability in entry.capabilities:
            assert CAPABILITY_LAYER[capability] in entry.layers


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
        ({"key": "x", "name": "X", "vendor": "v", "kind": "platform", "layers": ["data"],
          "capabilities": ["vector-search"]}, "at least two layers"),
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
