"""Paying twice: one product registered twice, a platform beside tools whose work it already
does, platforms doing each other's work, and separate tools doing the same job.

Two tools overlap on a capability that is a primary capability of both: a side feature
(dbt's tests, a platform's bundled monitor) is no reason to drop a tool bought for that job.
A tool is redundant, and its cost a potential saving, only when another does every one of its
primary capabilities as its own main job. Compute tools overlap only with compute tools. A tool
billed by use (compute, a provider's model API, serverless inference) is never a saving: moving
its work to another tool moves its bill too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal

from core.analysis.model import (
    Draft,
    by_name,
    either,
    layers_of,
    listing,
    make_id,
    monthly_cost,
    names,
    ordered,
    per_month,
)
from core.catalog import load_catalog
from core.layers import LAYERS
from core.profile import COMPUTE_CAPABILITIES, OTHER_CAPABILITIES, Profile

_TAKE_OVER = "The redundant tools' monthly cost: the kept tool already does all of their main jobs."


def registrations(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """One catalog product under two names. No saving: two records of one contract are one bill
    counted twice, and two contracts for one product may be two teams' seats."""
    by_key: dict[str, list[Profile]] = defaultdict(list)
    for p in profiles:
        if p.tool.catalog_key:
            by_key[p.tool.catalog_key].append(p)
    catalog = load_catalog()
    for key in sorted(by_key):
        members = by_key[key]
        if len(members) < 2:
            continue
        entry = catalog.by_key.get(key)
        title = entry.name if entry else members[0].tool.name
        yield Draft(
            id=make_id("reg", key),
            kind="duplicate-registration",
            rule="catalog-alias",
            layers=tuple(sorted({n for p in members for n in p.tool.layers})),
            capabilities=ordered(c for p in members for c in p.tool.capabilities),
            members=tuple(members),
            reason=f"{title} is registered {len(members)} times: {names(members)}.",
            action=(
                f"Keep one record of {title}: remove the others if they are one contract, or "
                "consolidate the contracts if they are several."
            ),
        )


def platforms(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """One finding per platform, naming the separate tools whose main jobs it also does."""
    units: dict[str, list[Profile]] = defaultdict(list)
    points: dict[str, list[Profile]] = defaultdict(list)
    for p in profiles:
        if p.platform:
            units[p.unit].append(p)
        elif not p.compute:
            for capability in p.primary:
                points[capability].append(p)
    for unit in sorted(units):
        members = units[unit]
        does = frozenset().union(*(p.primary for p in members)) - COMPUTE_CAPABILITIES
        touched = {q.tool.id: q for c in does for q in points.get(c, ()) if q.unit != unit}
        if touched:
            yield _platform_draft(members, does, by_name(touched.values()))


def _platform_draft(
    members: list[Profile], does: frozenset[str], points: tuple[Profile, ...]
) -> Draft:
    platform = members[0].tool.name
    covered = tuple(q for q in points if q.primary <= does)
    redundant = tuple(q for q in covered if not q.usage_billed)
    moved = tuple(q for q in covered if q.usage_billed)
    partial = tuple(q for q in points if not q.primary <= does)
    shared = ordered(c for q in points for c in q.primary & does)
    parts = []
    if covered:
        parts.append(f"all that {names(covered)} {_are(covered)} for")
    if partial:
        parts.append(f"part of what {names(partial)} {_do(partial)}")
    actions = []
    if redundant:
        actions.append(_retire(redundant, platform))
    if moved:
        actions.append(
            f"Move {names(moved)} onto {platform} if that suits you: billed by use, the bill "
            "moves with the work, so no saving is claimed"
        )
    if partial:
        actions.append(_review(partial, platform, does))
    first = members[0]
    return Draft(
        id=make_id("twice", first.unit) if first.tool.catalog_key else f"twice-t{first.tool.id}",
        kind="platform-paid-twice",
        rule="redundant" if redundant else "partial",
        layers=layers_of(shared),
        capabilities=shared,
        members=by_name((*members, *points)),
        reason=f"{platform} already does {listing(shared)}: {'; '.join(parts)}.",
        action=". ".join(actions) + ".",
        redundant=redundant,
        keep=first,
        basis=_TAKE_OVER,
    )


def _retire(redundant: tuple[Profile, ...], keeper: str) -> str:
    text = f"Retire {names(redundant)}: {keeper} already does {_their(redundant)} work"
    cost = monthly_cost(redundant)
    return f"{text}, {per_month(cost)}" if cost else text


def _review(partial: tuple[Profile, ...], platform: str, does: frozenset[str]) -> str:
    if len(partial) == 1:
        lacks = ordered(partial[0].primary - does)
        return (
            f"Review {partial[0].tool.name} against {platform}: {platform} does not do its "
            f"{listing(lacks)}"
        )
    return f"Review {names(partial)} against {platform}: it does only part of their work"


def platform_groups(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """Platforms that do each other's main jobs."""
    members = [p for p in profiles if p.platform]
    allowed = OTHER_CAPABILITIES
    for group, shared in _groups(members, allowed):
        yield _group_draft(
            group,
            shared,
            finding_id=make_id("platforms", shared[0]),
            kind="platform-paid-twice",
            rule="platforms",
            what="platforms",
            saving=True,
        )


def duplicates(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """Separate tools doing the same main job: one finding per group of overlapping tools.
    Compute tools are grouped only with each other, and claim no saving."""
    kinds = (
        ([p for p in profiles if not p.platform and not p.compute], False),
        ([p for p in profiles if p.compute], True),
    )
    for members, compute in kinds:
        allowed = COMPUTE_CAPABILITIES if compute else OTHER_CAPABILITIES
        for group, shared in _groups(members, allowed):
            yield _group_draft(
                group,
                shared,
                finding_id=make_id("dup", shared[0]),
                kind="duplicate-capability",
                rule="compute" if compute else "capability",
                what="compute tools" if compute else "tools",
                saving=not compute,
            )


def _groups(
    members: Sequence[Profile], allowed: frozenset[str]
) -> list[tuple[tuple[Profile, ...], tuple[str, ...]]]:
    """Groups of tools that share primary capabilities in `allowed`, with what they share.

    Tools are grouped layer by layer, so one tool that overlaps a monitor in one layer and a
    compliance tool in another does not chain the three into one finding; the same tools
    overlapping in two layers (a monitor that also detects drift) are one finding.
    """
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


def _group_draft(
    group: tuple[Profile, ...],
    shared: tuple[str, ...],
    *,
    finding_id: str,
    kind: str,
    rule: str,
    what: str,
    saving: bool,
) -> Draft:
    keep = _keeper(group)
    by_use = not saving or all(p.usage_billed for p in group)
    redundant = tuple(
        q
        for q in group
        if not by_use
        and q is not keep
        and q.unit != keep.unit
        and not q.usage_billed
        and keep.covers(q.primary)
    )
    gone = {id(q) for q in redundant}
    rest = tuple(q for q in group if q is not keep and id(q) not in gone)
    if len(group) == 2:
        reason = f"{group[0].tool.name} and {group[1].tool.name} both do {listing(shared)}."
    else:
        reason = f"{len(group)} {what} share {listing(shared)}: {names(group)}."
    return Draft(
        id=finding_id,
        kind=kind,
        rule=rule,
        layers=layers_of(shared),
        capabilities=shared,
        members=group,
        reason=reason,
        action=_group_action(keep, redundant, rest, shared, by_use=by_use),
        redundant=redundant,
        keep=keep if redundant else None,
        basis=_TAKE_OVER,
    )


def _group_action(
    keep: Profile,
    redundant: tuple[Profile, ...],
    rest: tuple[Profile, ...],
    shared: tuple[str, ...],
    *,
    by_use: bool,
) -> str:
    if by_use:
        return (
            f"Check that you need {names(by_name((keep, *rest)))} for {either(shared)}: they are "
            "billed by use, so moving work between them saves only what you commit to and leave "
            "idle."
        )
    actions = []
    if redundant:
        actions.append(_retire(redundant, keep.tool.name))
    if rest:
        actions.append(f"Pick one of {names(by_name((keep, *rest)))} for {either(shared)}")
    return ". ".join(actions) + "."


def _keeper(group: tuple[Profile, ...]) -> Profile:
    """The tool that does most of the group's main jobs as its own; then the one that has most
    of the rest as side features; then the dearest in the group's main currency, so that a tie
    claims the smaller saving; then the first by name."""
    needed = frozenset().union(*(p.primary for p in group))
    currency = _main_currency(group)

    def score(p: Profile) -> tuple[int, int, Decimal]:
        cost = p.tool.cost
        amount = cost.monthly if cost is not None and cost.currency == currency else Decimal(0)
        return (len(p.primary & needed), len(p.secondary & needed), amount)

    best = max(score(p) for p in group)
    return next(p for p in group if score(p) == best)


def _main_currency(group: tuple[Profile, ...]) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    for p in group:
        if p.tool.cost is not None:
            counts[p.tool.cost.currency] += 1
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def _are(items: Sequence[object]) -> str:
    return "is" if len(items) == 1 else "are"


def _do(items: Sequence[object]) -> str:
    return "does" if len(items) == 1 else "do"


def _their(items: Sequence[object]) -> str:
    return "its" if len(items) == 1 else "their"
