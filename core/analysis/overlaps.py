"""Paying twice: one product registered twice, and tools doing each other's main jobs, pair by
pair.

Two tools overlap on a capability that is a primary capability of both: a side feature (dbt's
tests, a platform's bundled monitor) is no reason to drop a tool bought for that job. A tool is
redundant, and its cost a potential saving, only when another tool the team keeps does every
one of its primary capabilities as its own main job. The unit is a pair: each redundant tool
gets one finding naming the one tool to keep, so each decision has its own id, acceptance and
action, and no tool's cost is claimed twice. Overlaps that are not redundancy are pairs to
review, with what each does alone.

Which tool is kept, and which go, is core/analysis/keeping.py; tools billed by use (compute, a
provider's model API, serverless inference) are never a saving nor a keeper, and their groups
are core/analysis/metered.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from core.analysis.keeping import amount, covered_between, decide, main_currency
from core.analysis.metered import metered_groups
from core.analysis.model import (
    MAX_ID,
    Draft,
    by_name,
    day,
    either,
    group_of,
    layers_of,
    listing,
    make_id,
    monthly_cost,
    names,
    ordered,
    per_month,
    per_year,
    yearly_cost,
)
from core.catalog import load_catalog
from core.profile import OTHER_CAPABILITIES, Profile

_TAKE_OVER = "The dropped tool's monthly cost: the kept tool already does all of its main jobs."


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
        action = (
            f"Keep one record of {title}: remove the others if they are one contract, or "
            "consolidate the contracts if they are several."
        )
        smaller = _add_ons(members)
        if smaller:
            action += f" {names(smaller)} {_do(smaller)} only part of what another does: "
            action += f"{_it(smaller)} {_are(smaller)} the one to fold in."
        yield Draft(
            id=make_id("reg", key),
            kind="duplicate-registration",
            rule="catalog-alias",
            layers=tuple(sorted({n for p in members for n in p.tool.layers})),
            capabilities=ordered(c for p in members for c in p.tool.capabilities),
            members=tuple(members),
            reason=f"{title} is registered {len(members)} times: {names(members)}.",
            action=action,
            group=title,
        )


def _add_ons(members: Sequence[Profile]) -> tuple[Profile, ...]:
    """Registrations of one product that do part of what its main registration does (the one
    with most main jobs, then the dearest), or the same jobs for less in the same currency: a
    second, smaller contract of the same vendor, the one to fold in."""
    main = min(members, key=lambda p: (-len(p.primary), -amount(p), p.tool.id))
    return tuple(
        p
        for p in members
        if p is not main
        and (p.primary < main.primary or (p.primary == main.primary and _cheaper(p, main)))
    )


def _cheaper(p: Profile, q: Profile) -> bool:
    a, b = p.tool.cost, q.tool.cost
    if a is None or b is None or a.currency != b.currency:
        return False
    return (a.monthly, p.tool.id) < (b.monthly, q.tool.id)


def paying_twice(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """Every redundant tool with the one tool to keep instead; the overlaps left to review; and
    the groups of tools billed by use that share a main job."""
    currency = main_currency(profiles)
    metered = [p for p in profiles if p.usage_billed and not p.compute and p.primary]
    kept, dropped = decide(
        [p for p in profiles if not p.usage_billed and not p.compute and p.primary], currency
    )
    # Records of one product dropped for one kept product are one decision.
    decisions: dict[tuple[str, str], list[Profile]] = {}
    keepers: dict[tuple[str, str], Profile] = {}
    for q, k in dropped:
        decisions.setdefault((k.unit, q.unit), []).append(q)
        keepers.setdefault((k.unit, q.unit), k)
    for pair, gone in decisions.items():
        yield _redundancy(by_name(gone), keepers[pair], currency)
    kept, covered = covered_between(kept, currency, {id(k) for _, k in dropped})
    together: dict[tuple[str, ...], list[Profile]] = {}
    sets: dict[tuple[str, ...], tuple[Profile, ...]] = {}
    for q, ks in covered:
        key = (q.unit, *(k.unit for k in ks))
        together.setdefault(key, []).append(q)
        sets.setdefault(key, ks)
    for key, gone in together.items():
        yield _cover(by_name(gone), sets[key])
    yield from _reviews(kept, metered)
    yield from metered_groups(metered, [p for p in profiles if p.compute])


def _cover(gone: tuple[Profile, ...], keepers: tuple[Profile, ...]) -> Draft:
    q = gone[0]
    shared = ordered(c for p in gone for c in p.primary)
    cost = monthly_cost(gone)
    dates = [p.tool.cancel_by for p in gone if p.tool.cancel_by is not None]
    cancel_by = min(dates) if len(dates) == len(gone) else None
    drop = names(gone)
    keep = listing([k.tool.name for k in keepers])
    who = "; ".join(
        f"{k.tool.name} does {listing(ordered(q.primary & k.primary))}" for k in keepers
    )
    if cost:
        when = f", cancel by {day(cancel_by)}" if cancel_by else ""
        year = per_year(yearly_cost(t.tool for t in gone))
        action = f"Keep {keep}, drop {drop}: {per_month(cost)}, {year}{when}."
        rule = "covered-between"
    else:
        action = (
            f"Tidy up: drop {drop}, {keep} already do all of its main jobs (no cost registered)."
        )
        rule = "tidy-up"
    platform = any(k.platform for k in keepers)
    return Draft(
        id=_id("cover", _slug(q)),
        kind="platform-paid-twice" if platform else "duplicate-capability",
        rule=rule,
        layers=layers_of(shared),
        capabilities=shared,
        members=by_name((*gone, *keepers)),
        reason=f"No one tool does all that {drop} {_are(gone)} for, but {keep} do between "
        f"them: {who}.",
        action=action,
        redundant=gone,
        keep=keepers[0],
        keepers=keepers,
        basis="The dropped tool's monthly cost: the kept tools between them already do all of "
        "its main jobs.",
        group=group_of(shared),
        decide_by=cancel_by,
    )


def _redundancy(gone: tuple[Profile, ...], k: Profile, currency: str | None) -> Draft:
    q = gone[0]
    shared = ordered(c for p in gone for c in p.primary)
    cost = monthly_cost(gone)
    slug = f"{_slug(k)}-{_slug(q)}"
    dates = [p.tool.cancel_by for p in gone if p.tool.cancel_by is not None]
    cancel_by = min(dates) if len(dates) == len(gone) else None
    if k.platform and q.platform:
        kind, rule, prefix = "platform-paid-twice", "platforms", "platforms"
    elif k.platform:
        kind, rule, prefix = "platform-paid-twice", "redundant", "twice"
    else:
        kind, rule, prefix = "duplicate-capability", "capability", "dup"
    keep, drop = k.tool.name, names(gone)
    if cost:
        when = f", cancel by {day(cancel_by)}" if cancel_by else ""
        action = f"Keep {keep}, drop {drop} for {listing(shared)}: {per_month(cost)}, "
        action += f"{per_year(yearly_cost(t.tool for t in gone))}{when}."
    else:
        rule = "tidy-up"
        action = f"Tidy up: drop {drop}, {keep} already does {_their(gone)} {listing(shared)} "
        action += "(no cost registered)."
    return Draft(
        id=_id(prefix, slug),
        kind=kind,
        rule=rule,
        layers=layers_of(shared),
        capabilities=shared,
        members=by_name((*gone, k)),
        reason=f"{keep} already does all that {drop} {_are(gone)} for ({listing(shared)}); "
        f"{_why(k, q, currency)}.",
        action=action,
        redundant=gone,
        keep=k,
        basis=_TAKE_OVER,
        group=group_of(shared),
        decide_by=cancel_by,
    )


def _why(k: Profile, q: Profile, currency: str | None) -> str:
    """Which rule chose the tool kept, in words."""
    keep, drop = k.tool.name, q.tool.name
    if k.platform and not q.platform:
        return f"{keep} is a platform you keep, and these are among its main jobs"
    if k.primary != q.primary:
        alone = ordered(k.primary - q.primary)
        return f"{keep} is kept as it also does {listing(alone)}"
    if k.local != q.local:
        return f"{keep} is kept as a production server; {drop} is a laptop or dev-box runner"
    if (k.tool.owner_id is None) != (q.tool.owner_id is None):
        return f"{keep} is kept as it has an owner and {drop} has none"
    qb = q.tool.cancel_by
    if k.tool.cancel_by != qb and qb is not None:
        return f"{drop}'s contract is the one to leave first: cancel by {day(qb)}"
    kc, qc = k.tool.cost, q.tool.cost
    if kc is not None and (qc is None or (qc.currency == kc.currency and qc.monthly < kc.monthly)):
        return f"same main jobs; {keep} is kept as the dearer, so the smaller saving is claimed"
    return f"same main jobs; {keep} is kept as first by name"


def _reviews(kept: Sequence[Profile], metered: Sequence[Profile]) -> Iterator[Draft]:
    """Pairs of kept tools sharing a main job where neither does all of the other's, and tools
    billed by use sharing a main job with a kept tool: to review, no saving."""
    # One registration per product: a product registered twice is its own finding, and its
    # records would otherwise multiply every pair.
    first: dict[str, Profile] = {}
    for p in (*by_name(kept), *by_name(metered)):
        first.setdefault(p.unit, p)
    kept = [p for p in kept if first[p.unit] is p]
    metered = [p for p in metered if first[p.unit] is p]
    by_capability: dict[str, list[Profile]] = defaultdict(list)
    for p in kept:
        for c in p.primary & OTHER_CAPABILITIES:
            by_capability[c].append(p)
    seen: set[tuple[int, int]] = set()
    # Tools billed by use beside a platform that serves the same: one question per platform
    # (route the traffic through it or not), not one per provider.
    beside: dict[int, tuple[Profile, dict[int, Profile]]] = {}
    for p in (*kept, *metered):
        for c in sorted(p.primary & OTHER_CAPABILITIES):
            for q in by_capability.get(c, ()):
                if q is p or q.unit == p.unit:
                    continue
                pair = (min(p.tool.id, q.tool.id), max(p.tool.id, q.tool.id))
                if pair in seen:
                    continue
                seen.add(pair)
                if p.usage_billed and q.platform:
                    beside.setdefault(id(q), (q, {}))[1][id(p)] = p
                    continue
                a, b = by_name((p, q))
                yield _review(a, b)
    for platform, providers in beside.values():
        yield _billed_beside(platform, by_name(providers.values()))


def _billed_beside(platform: Profile, providers: tuple[Profile, ...]) -> Draft:
    shared = ordered(c for p in providers for c in p.primary & platform.primary)
    return Draft(
        id=_id("twice", f"{_slug(platform)}-by-use"),
        kind="platform-paid-twice",
        rule="usage-billed",
        layers=layers_of(shared),
        capabilities=shared,
        members=by_name((platform, *providers)),
        reason=f"{platform.tool.name} also does {listing(shared)}, which {names(providers)} "
        f"{_are(providers)} billed by use for.",
        action=(
            f"Check whether {names(providers)} should run through {platform.tool.name}: billed "
            "by use, the bill moves with the work, and the models may differ, so no saving is "
            "claimed."
        ),
        group=group_of(shared),
    )


def _review(a: Profile, b: Profile) -> Draft:
    shared = ordered(a.primary & b.primary & OTHER_CAPABILITIES)
    platform = a if a.platform else b if b.platform else None
    other = (b if platform is a else a) if platform else None
    if platform is not None and other is not None:
        kind, prefix = "platform-paid-twice", "twice"
        slug = f"{_slug(platform)}-{_slug(other)}"
    else:
        kind, prefix = "duplicate-capability", "overlap"
        slug = f"{_slug(a)}-{_slug(b)}"
    metered = [p for p in (a, b) if p.usage_billed]
    # A platform doing much else is no news: only what the other tool does alone is said.
    alone = [
        f"{p.tool.name} alone does {listing(ordered(p.primary - q.primary))}"
        for p, q in ((a, b), (b, a))
        if p.primary - q.primary and not (p.platform and not q.platform)
    ]
    reason = f"{a.tool.name} and {b.tool.name} both do {listing(shared)}"
    reason += f"; {'; '.join(alone)}." if alone else "."
    if metered:
        billed = metered[0].tool.name
        action = (
            f"Check that you need both for {either(shared)}: {billed} is billed by use, so "
            "moving work between them moves the bill, and no saving is claimed."
        )
        rule = "usage-billed"
    elif platform is not None and other is not None:
        lacks = ordered(other.primary - platform.primary)
        action = (
            f"Review {other.tool.name} against {platform.tool.name}: {platform.tool.name} does "
            f"not do its {listing(lacks)}, so no saving is claimed."
        )
        rule = "partial"
    else:
        action = (
            f"Review {a.tool.name} and {b.tool.name} for {either(shared)}: neither does all of "
            "the other's main jobs, so no saving is claimed."
        )
        rule = "partial"
    return Draft(
        id=_id(prefix, slug),
        kind=kind,
        rule=rule,
        layers=layers_of(shared),
        capabilities=shared,
        members=(a, b),
        reason=reason,
        action=action,
        group=group_of(shared),
    )


def _slug(p: Profile) -> str:
    return p.unit


def _id(prefix: str, slug: str) -> str:
    """Catalog keys and `t<id>` are already lowercase letters, digits and dashes: no need to
    clean them as `make_id` does a name."""
    return f"{prefix}-{slug}"[:MAX_ID].rstrip("-")


def _are(items: Sequence[object]) -> str:
    return "is" if len(items) == 1 else "are"


def _do(items: Sequence[object]) -> str:
    return "does" if len(items) == 1 else "do"


def _their(items: Sequence[object]) -> str:
    return "its" if len(items) == 1 else "their"


def _it(items: Sequence[object]) -> str:
    return "it" if len(items) == 1 else "they"


__all__ = ["paying_twice", "registrations"]
