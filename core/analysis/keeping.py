"""Which of two tools to keep, and which tools go: the rules behind every redundancy.

More main jobs first (a tool doing everything another does and more keeps it), then a
production server over a laptop runner, a tool with an owner, the contract that ends later, the
dearer, the name. A redundant tool goes to the kept tool closest to it; a tool whose main jobs
several kept tools do between them goes to those tools. A dropped tool never keeps another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import chain

from core.profile import Profile


def main_currency(profiles: Sequence[Profile]) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    for p in profiles:
        if p.tool.cost is not None:
            counts[p.tool.cost.currency] += 1
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def amount(p: Profile) -> Decimal:
    return p.tool.cost.monthly if p.tool.cost is not None else Decimal(0)


def rank(p: Profile, currency: str | None) -> tuple[object, ...]:
    """Lower keeps: more main jobs (a superset before its subsets), a production server, an
    owner, a contract that ends later (an undated one is never the first to end), the dearer,
    the name."""
    cost = p.tool.cost
    amount = cost.monthly if cost is not None and cost.currency == currency else Decimal(0)
    cancel_by = p.tool.cancel_by
    return (
        -len(p.primary),
        p.local,
        p.tool.owner_id is None,
        -(cancel_by or date.max).toordinal(),
        -amount,
        p.tool.name.casefold(),
        p.tool.id,
    )


def decide(
    candidates: Sequence[Profile], currency: str | None
) -> tuple[list[Profile], list[tuple[Profile, Profile]]]:
    """The tools kept, and each redundant tool with the one that keeps it.

    Tools are walked best first, so a keeper is settled before anything it could keep: every
    tool with more main jobs comes before those with fewer. A tool whose main jobs a kept tool
    of another product does as its own is dropped, to the kept tool closest to it (fewest main
    jobs, then best ranked), so "Keep Pinecone, drop Qdrant" rather than a platform whose
    vector search is one of many jobs; but a smaller contract of a vendor whose wider product
    the team keeps goes to that product, the add-on being the redundant one. A dropped tool
    never keeps another."""
    ranks = {id(p): rank(p, currency) for p in candidates}
    walk = sorted(candidates, key=lambda p: ranks[id(p)])
    with_capability: dict[str, list[frozenset[str]]] = defaultdict(list)
    kept_by_set: dict[frozenset[str], list[Profile]] = {}
    # For each set of main jobs: the kept tools with more jobs that do them all, closest first.
    # Sets are walked largest first, so a set's strict supersets are all known when it is met.
    wider: dict[frozenset[str], list[Profile]] = {}
    # The same, by vendor: a smaller contract of a vendor goes to that vendor's wider one.
    wider_by_vendor: dict[frozenset[str], dict[str, Profile]] = {}
    kept: list[Profile] = []
    dropped: list[tuple[Profile, Profile]] = []
    for q in walk:
        jobs = q.primary
        if jobs not in wider:
            rarest = min(jobs, key=lambda c: (len(with_capability[c]), c))
            supersets = [s for s in with_capability[rarest] if jobs < s]
            wider[jobs] = sorted(
                (k for s in supersets for k in kept_by_set[s]),
                key=lambda k: (len(k.primary), ranks[id(k)]),
            )
            vendors: dict[str, Profile] = {}
            for k in wider[jobs]:
                if k.tool.vendor:
                    vendors.setdefault(k.tool.vendor.casefold(), k)
            wider_by_vendor[jobs] = vendors
        unit = q.unit
        own = wider_by_vendor[jobs].get(q.tool.vendor.casefold()) if q.tool.vendor else None
        keeper = own if own is not None and own.unit != unit else None
        keeper = keeper or next(
            (k for k in chain(kept_by_set.get(jobs, ()), wider[jobs]) if k.unit != unit), None
        )
        if keeper is not None:
            dropped.append((q, keeper))
            continue
        kept.append(q)
        if jobs not in kept_by_set:
            kept_by_set[jobs] = []
            for c in jobs:
                with_capability[c].append(jobs)
        # One kept record per product is enough to keep another product's tools.
        if all(k.unit != unit for k in kept_by_set[jobs]):
            kept_by_set[jobs].append(q)
    return kept, dropped


def covered_between(
    kept: Sequence[Profile], currency: str | None, keeping: set[int]
) -> tuple[list[Profile], list[tuple[Profile, tuple[Profile, ...]]]]:
    """Kept tools whose main jobs no one tool does but several kept tools do between them
    (W&B's tracking done by MLflow, its LLM traces and evaluations by Arize): each is redundant
    to that set. The dearest goes first, since keeping it buys nothing the others do not; a tool
    that keeps another (`keeping`, or an earlier set) is never dropped, and a platform is never
    dropped for a set of point tools (it is bought as a whole)."""
    first: dict[str, Profile] = {}
    for p in kept:
        first.setdefault(p.unit, p)
    by_capability: dict[str, list[Profile]] = defaultdict(list)
    for p in first.values():
        for c in p.primary:
            by_capability[c].append(p)
    ranks = {id(p): rank(p, currency) for p in kept}
    worst_first = sorted(kept, key=lambda p: ranks[id(p)], reverse=True)
    walk = sorted(
        (p for p in worst_first if not p.platform and len(p.primary) > 1),
        key=lambda p: -amount(p) if p.tool.cost and p.tool.cost.currency == currency else 0,
    )
    gone: set[int] = set()
    needed: set[int] = set(keeping)  # tools already kept in place of another
    covered: list[tuple[Profile, tuple[Profile, ...]]] = []
    for q in walk:
        if id(q) in needed:
            continue
        remaining = set(q.primary)
        chosen: list[Profile] = []
        while remaining:
            options = {
                id(k): k
                for c in remaining
                for k in by_capability[c]
                if k.unit != q.unit and id(k) not in gone
            }
            if not options:
                break
            best = min(options.values(), key=lambda k: (-len(k.primary & remaining), ranks[id(k)]))
            chosen.append(best)
            remaining -= best.primary
        if remaining or len(chosen) < 2:
            continue
        gone.add(id(q))
        needed.update(id(k) for k in chosen)
        covered.append((q, tuple(chosen)))
    return [p for p in kept if id(p) not in gone], covered
