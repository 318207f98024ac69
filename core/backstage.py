"""Tools as Backstage catalog entities, and such entities back as stack-file cells.

https://backstage.io/docs/features/software-catalog/descriptor-format: a name is at most 63
characters of [a-zA-Z0-9] separated by `-`, `_` or `.`; annotation keys are `prefix/name`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from core.errors import Rejected

API_VERSION = "backstage.io/v1alpha1"
PREFIX = "stackbot/"
SPEC_TYPE = "ai-infrastructure"
MAX_NAME = 63
# The stack-file columns kept as annotations; name, owner and notes have places of their own.
ANNOTATED = (
    "layers", "capabilities", "vendor", "sourcing", "cost", "currency", "period", "renews",
    "notice", "channel", "billing",
)  # fmt: skip
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def entity_name(name: str, taken: set[str]) -> str:
    """A valid, unused metadata.name for a tool called `name` ("Weights & Biases" ->
    "weights-biases"); a name with no Latin letters or digits becomes "tool"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _SEPARATORS.sub("-", ascii_name.casefold()).strip("-")[: MAX_NAME - 4] or "tool"
    slug = slug.rstrip("-")
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate)
    return candidate


def entity(cells: Mapping[str, str], *, taken: set[str]) -> dict[str, Any]:
    """A Component entity for one tool, from the cells a stack export writes."""
    annotations = {PREFIX + column: cells[column] for column in ANNOTATED if cells.get(column)}
    if cells.get("owner"):
        annotations[PREFIX + "owner"] = cells["owner"]
    metadata: dict[str, Any] = {
        "name": entity_name(cells["name"], taken),
        "title": cells["name"],
        "annotations": annotations,
        "tags": [layer for layer in cells.get("layers", "").split(",") if layer],
    }
    if cells.get("notes"):
        metadata["description"] = cells["notes"]
    owner = f"user:default/{cells['owner'].lower()}" if cells.get("owner") else "unknown"
    return {
        "apiVersion": API_VERSION,
        "kind": "Component",
        "metadata": metadata,
        "spec": {"type": SPEC_TYPE, "owner": owner, "lifecycle": "production"},
    }


def cells_of(document: object, *, line: int) -> dict[str, str]:
    """The stack-file cells an entity describes. Raises Rejected when it is no entity."""
    if not isinstance(document, dict) or "kind" not in document or "metadata" not in document:
        raise Rejected("not_an_entity", line=line)
    metadata = document["metadata"]
    if not isinstance(metadata, dict):
        raise Rejected("not_an_entity", line=line)
    name = metadata.get("title") or metadata.get("name")
    if not isinstance(name, str):
        raise Rejected("not_an_entity", line=line)
    annotations = metadata.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise Rejected("not_an_entity", line=line)
    cells = {"name": name}
    for column in (*ANNOTATED, "owner"):
        value = annotations.get(PREFIX + column)
        cells[column] = "" if value is None else str(value)
    description = metadata.get("description")
    cells["notes"] = description if isinstance(description, str) else ""
    return cells


def entities(documents: Iterable[tuple[int, object]]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, cells) for each Component; other kinds (systems, groups) are skipped."""
    for line, document in documents:
        if document is None:
            continue  # an empty document between two `---`
        if isinstance(document, dict) and document.get("kind") not in (None, "Component"):
            continue
        yield line, cells_of(document, line=line)
