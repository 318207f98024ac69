"""Tools as Backstage entities: valid names, and entities read back as stack rows."""

from __future__ import annotations

import re

import pytest

from core.backstage import cells_of, entities, entity, entity_name
from core.errors import Rejected

VALID = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Weights & Biases", "weights-biases"),
        ("vLLM", "vllm"),
        ("<!channel>", "channel"),
        ("東京", "tool"),
        ("Ça va", "ca-va"),
        ("x" * 80, "x" * 59),
        ("--a--", "a"),
    ],
)
def test_an_entity_name_is_valid_for_backstage(name: str, expected: str) -> None:
    made = entity_name(name, set())
    assert made == expected
    assert VALID.match(made)
    assert len(made) <= 63


def test_two_tools_that_slug_alike_get_different_names() -> None:
    taken: set[str] = set()
    assert [entity_name(n, taken) for n in ("W&B", "W & B", "w-b")] == ["w-b", "w-b-2", "w-b-3"]


def test_an_entity_carries_layers_capabilities_cost_and_owner() -> None:
    cells = {"name": "vLLM", "layers": "inference", "capabilities": "llm-serving", "cost": "1200",
             "currency": "USD", "period": "month", "owner": "U0ANA", "notes": "ours"}  # fmt: skip
    made = entity(cells, taken=set())
    assert made["apiVersion"] == "backstage.io/v1alpha1"
    assert made["kind"] == "Component"
    assert made["spec"] == {"type": "ai-infrastructure", "owner": "user:default/u0ana",
                            "lifecycle": "production"}  # fmt: skip
    assert made["metadata"]["annotations"]["stackbot/layers"] == "inference"
    assert made["metadata"]["annotations"]["stackbot/cost"] == "1200"
    back = cells_of(made, line=1)
    assert {k: v for k, v in back.items() if v} == cells


def test_other_kinds_are_skipped_and_a_bare_component_is_read_by_its_title() -> None:
    documents = [
        (1, {"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "ml"}}),
        (5, {"kind": "Component", "metadata": {"name": "pinecone", "title": "Pinecone"}}),
        (9, None),
    ]
    assert [(line, cells["name"]) for line, cells in entities(documents)] == [(5, "Pinecone")]


@pytest.mark.parametrize(
    "document", [7, {"kind": "Component"}, {"kind": "Component", "metadata": []}]
)
def test_a_document_that_is_no_entity_is_refused_with_its_line(document: object) -> None:
    with pytest.raises(Rejected) as caught:
        list(entities([(3, document)]))
    assert caught.value.code == "not_an_entity"
    assert caught.value.details == {"line": 3}
