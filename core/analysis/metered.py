"""Tools billed by use that share a main job: one group to review, never a saving.

Compute (GPU clouds, schedulers) groups only with compute; model APIs and other metered tools
with each other. Moving work between them moves the bill, and two providers' models are not one
product, so the finding asks whether all are needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from core.analysis.model import (
    Draft,
    by_name,
    either,
    group_of,
    layers_of,
    listing,
    make_id,
    names,
    ordered,
)
from core.layers import LAYERS
from core.profile import COMPUTE_CAPABILITIES, OTHER_CAPABILITIES, Profile


def metered_groups(metered: Sequence[Profile], compute: Sequence[Profile]) -> Iterator[Draft]:
    """Tools billed by use that share a main job, one finding per group, with no saving:
    model APIs (two providers' models are not one product) and compute (GPU clouds,
    schedulers)."""
    for members, allowed, rule, what in (
        (metered, OTHER_CAPABILITIES, "usage-billed", "tools billed by use"),
        (compute, COMPUTE_CAPABILITIES, "compute", "compute tools"),
    ):
        for group, shared in groups(members, allowed):
            if len(group) == 2:
                reason = f"{group[0].tool.name} and {group[1].tool.name} both do {listing(shared)}."
            else:
                reason = f"{len(group)} {what} share {listing(shared)}: {names(group)}."
            yield Draft(
                id=make_id("dup", shared[0]),
                kind="duplicate-capability",
                rule=rule,
                layers=layers_of(shared),
                capabilities=shared,
                members=group,
                reason=reason,
                action=(
                    f"Check that you need {names(by_name(group))} for {either(shared)}: they are "
                    "billed by use, so moving work between them saves only what you commit to "
                    "and leave idle."
                ),
                group=group_of(shared),
            )


def groups(
    members: Sequence[Profile], allowed: frozenset[str]
) -> list[tuple[tuple[Profile, ...], tuple[str, ...]]]:
    """Groups of tools that share primary capabilities in `allowed`, with what they share,
    layer by layer; the same tools overlapping in two layers are one group."""
    in_layer: dict[int, list[Profile]] = defaultdict(list)
    for p in members:
        for number in p.main_layers:
            in_layer[number].append(p)
    found: list[tuple[tuple[Profile, ...], tuple[str, ...]]] = []
    for layer in LAYERS:
        if len(in_layer[layer.number]) > 1:
            in_reach = allowed & frozenset(layer.capabilities)
            found.extend(_connected(in_layer[layer.number], in_reach))
    merged: list[tuple[frozenset[int], tuple[Profile, ...], set[str]]] = []
    for group, capabilities in sorted(found, key=lambda item: -len(item[0])):
        ids = frozenset(p.tool.id for p in group)
        home = next((m for m in merged if ids <= m[0]), None)
        if home is None:
            merged.append((ids, group, set(capabilities)))
        else:
            home[2].update(capabilities)
    return sorted(((group, ordered(caps)) for _, group, caps in merged), key=lambda g: g[1])


def _connected(
    members: Sequence[Profile], allowed: frozenset[str]
) -> Iterator[tuple[tuple[Profile, ...], tuple[str, ...]]]:
    """Connected groups of tools joined by a primary capability in `allowed` that two or more
    products share. Registrations of one product alone never make a group."""
    providers: dict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(members):
        for capability in p.primary & allowed:
            providers[capability].append(index)
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shared = [c for c, indexes in providers.items() if len({members[i].unit for i in indexes}) > 1]
    for capability in shared:
        first, *rest = providers[capability]
        for i in rest:
            parent[root(i)] = root(first)
    by_root: dict[int, list[str]] = defaultdict(list)
    for capability in shared:
        by_root[root(providers[capability][0])].append(capability)
    in_group: dict[int, list[Profile]] = defaultdict(list)
    for index, p in enumerate(members):
        if (top := root(index)) in by_root:
            in_group[top].append(p)
    for top, capabilities in by_root.items():
        yield tuple(in_group[top]), ordered(capabilities)
