"""What a workspace's stack gets wrong: overlaps, over-investment, gaps and stale records.

Pure: the caller passes the tools, the layers the team says it owns and `today`. Every finding
has an id a person can type ("dup-experiment-tracking") and a fingerprint of the tools behind
it, so a finding someone accepted comes back once the set of tools behind it changes.
"""

from __future__ import annotations

import gc
import hashlib
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple, TypeAlias, TypeVar, cast

from core.catalog import load_catalog
from core.layers import CAPABILITY_LAYER, LAYER_BY_NUMBER, LAYERS
from core.money import CENT, format_amount
from core.stack import StackTool

KINDS: tuple[str, ...] = (
    "duplicate-registration",
    "platform-paid-twice",
    "duplicate-capability",
    "over-investment",
    "build-vs-buy",
    "gap",
    "stale-record",
)
# Compute dwarfs every other layer's bill in most stacks; a share rule that counted it would
# flag compute every time and say nothing.
COMPUTE = 1
PLATFORM_MIN_LAYERS = 3
# A training framework or a vector database is a commodity: building one is rarely worth it.
RENTABLE: frozenset[str] = frozenset({"distributed-training", "vector-search", "embedding-store"})
MAX_ID = 60

_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}
_CAPABILITY_ORDER = {capability: index for index, capability in enumerate(CAPABILITY_LAYER)}
_NOT_ID = re.compile(r"[^a-z0-9]+")
_ZERO = Decimal(0)
_T = TypeVar("_T")
# Shared by every finding without a saving, and read-only so that sharing is safe: at 100,000
# tools, one dict less per finding leaves the garbage collector less to walk.
_NO_SAVING: Mapping[str, Decimal] = MappingProxyType({})
# The least common multiple of 1..7: a tool's cents shared evenly over up to seven layers stay
# whole numbers, so "more than half" is decided exactly.
_SHARES = 420
# A reason is one line in Slack: a finding behind a thousand tools names a few, counts the rest.
_SHOWN = 3
_DEAREST_BASIS = (
    "Monthly cost of all but the most expensive tool, in each currency on its own "
    "(currencies are never converted; a tool without a cost counts as 0)."
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing worth a look, with the tools and money behind it.

    Money is per currency and never converted. `potential_saving` of two findings may overlap
    (a tool can be both a platform's double and a duplicate registration): each answers its own
    question, so they are not to be added up.
    """

    id: str  # typeable and stable across runs: "dup-experiment-tracking", "owner-t42"
    kind: str  # one of KINDS
    rule: str  # which rule of the kind fired: "spend-share", "review-overdue" ...
    layers: tuple[int, ...]
    capabilities: tuple[str, ...]
    tools: tuple[StackTool, ...]  # sorted by (name.casefold(), id)
    monthly_cost: Mapping[str, Decimal]  # of all the tools above
    potential_saving: Mapping[str, Decimal]  # empty when the kind has no saving
    saving_basis: str  # how the saving was worked out, "" without one
    reason: str  # one line for people; tool names raw, the template escapes them
    fingerprint: str  # of the id and the tools' ids: changes when the set of tools does
    accepted: bool  # the team accepted it with this very fingerprint


def analyse(
    tools: Iterable[StackTool],
    *,
    owned_layers: Collection[int] = (),
    today: date,
    accepted: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding about the active `tools`, in the order a digest shows them."""
    with _no_cycle_collection():
        return _analyse(tools, owned_layers=owned_layers, today=today, accepted=accepted)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The analysis allocates tens of thousands of small objects and no reference cycles, so
    the cycle collector's passes over them find nothing; at 100,000 tools they were a sixth of
    the time. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyse(
    tools: Iterable[StackTool],
    *,
    owned_layers: Collection[int],
    today: date,
    accepted: Mapping[str, str] | None,
) -> list[Finding]:
    stack = _index(tools)
    platform_drafts, platform_units = _platforms(stack)
    # Drafts are finished as they come, not gathered first: at 100,000 tools, tens of thousands
    # of live drafts would make the garbage collector walk the whole heap again.
    drafts = chain(
        _registrations(stack),
        platform_drafts,
        _duplicate_capabilities(stack, platform_units),
        _too_many_tools(stack),
        _spend_share(stack),
        _build_vs_buy(stack, frozenset(owned_layers)),
        _gaps(stack),
        _stale(stack, today),
    )
    keyed = [_finish(stack, draft, accepted or {}) for draft in _unique_ids(drafts)]
    keyed.sort(key=itemgetter(0))
    return [finding for _, finding in keyed]


def summary_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Open (not accepted) findings per kind, every kind present, in KINDS order."""
    counts = dict.fromkeys(KINDS, 0)
    for finding in findings:
        if not finding.accepted:
            counts[finding.kind] += 1
    return counts


@dataclass(frozen=True, slots=True)
class _Stack:
    """The active tools sorted by name, and indexes over them.

    Tools are referred to by their position in `tools`, so a list of positions kept ascending
    is already in the order a finding lists its tools. Money is kept in whole cents, one column
    per currency, so totals over thousands of tools are sums of ints done in C.
    """

    tools: tuple[StackTool, ...]
    ids: tuple[int, ...]
    capabilities: tuple[frozenset[str], ...]
    layers: tuple[tuple[int, ...], ...]
    currencies: tuple[str | None, ...]  # None where the tool has no cost
    cents: Mapping[str, Sequence[int]]
    priced: Mapping[str, bytes]  # 1 where the tool has a cost in that currency, even a zero one
    platform_rule: tuple[str | None, ...]
    by_capability: Mapping[str, Sequence[int]]
    by_layer: Mapping[int, Sequence[int]]


class _Draft(NamedTuple):
    """A finding before its id is known to be unique; a tuple because there are thousands."""

    id: str
    kind: str
    rule: str
    layers: tuple[int, ...]
    capabilities: tuple[str, ...]
    members: Sequence[int]
    reason: str
    saving: Mapping[str, Decimal] = _NO_SAVING
    basis: str = ""


def _index(tools: Iterable[StackTool]) -> _Stack:
    active = tuple(sorted((t for t in tools if t.active), key=lambda t: (t.name.casefold(), t.id)))
    catalog = load_catalog()
    # Most tools repeat a catalog entry's capabilities and layers: one frozenset per distinct
    # tuple saves the work and keeps its hash computed once.
    frozen: dict[tuple[str, ...], frozenset[str]] = {}
    known: dict[tuple[int, ...], tuple[int, ...]] = {}
    capabilities, layers = [], []
    by_capability: dict[str, list[int]] = defaultdict(list)
    by_layer: dict[int, list[int]] = defaultdict(list)
    currencies: list[str | None] = []
    cents: dict[str, list[int]] = {}
    priced: dict[str, bytearray] = {}
    platform_rule: list[str | None] = []
    for position, tool in enumerate(active):
        provided = frozen.get(tool.capabilities)
        if provided is None:
            provided = frozen[tool.capabilities] = frozenset(tool.capabilities)
        covered = known.get(tool.layers)
        if covered is None:
            covered = known[tool.layers] = tuple(sorted(set(tool.layers) & LAYER_BY_NUMBER.keys()))
        capabilities.append(provided)
        layers.append(covered)
        for capability in provided:
            by_capability[capability].append(position)
        for number in covered:
            by_layer[number].append(position)
        currency = None
        if tool.cost is not None:
            currency = tool.cost.currency
            if currency not in cents:
                cents[currency] = [0] * len(active)
                priced[currency] = bytearray(len(active))
            cents[currency][position] = int(tool.cost.monthly.scaleb(2))
            priced[currency][position] = 1
        currencies.append(currency)
        entry = catalog.by_key.get(tool.catalog_key) if tool.catalog_key else None
        if entry is not None and entry.kind == "platform":
            platform_rule.append("catalog-platform")
        elif len(covered) >= PLATFORM_MIN_LAYERS:
            platform_rule.append("spans-layers")
        else:
            platform_rule.append(None)
    return _Stack(
        tools=active,
        ids=tuple(tool.id for tool in active),
        capabilities=tuple(capabilities),
        layers=tuple(layers),
        currencies=tuple(currencies),
        cents=cents,
        priced={currency: bytes(flags) for currency, flags in priced.items()},
        platform_rule=tuple(platform_rule),
        by_capability=by_capability,
        by_layer=by_layer,
    )


def _registrations(stack: _Stack) -> Iterator[_Draft]:
    groups: dict[str, list[int]] = defaultdict(list)
    for position, tool in enumerate(stack.tools):
        if tool.catalog_key:
            groups[tool.catalog_key].append(position)
    catalog = load_catalog()
    for key in sorted(groups):
        members = groups[key]
        if len(members) < 2:
            continue
        entry = catalog.by_key.get(key)
        title = entry.name if entry else stack.tools[members[0]].name
        yield _Draft(
            id=_make_id("reg", key),
            kind="duplicate-registration",
            rule="catalog-alias",
            layers=tuple(sorted({n for position in members for n in stack.layers[position]})),
            capabilities=_sorted_capabilities(
                frozenset().union(*(stack.capabilities[position] for position in members))
            ),
            members=members,
            reason=f"{title} is registered {len(members)} times: {_names(stack, members)}.",
            saving=_all_but_dearest(stack, members),
            basis=_DEAREST_BASIS,
        )


# One platform is its catalog key, or its position when it has none: two registrations of one
# platform are one platform paid for once (the duplicate registration says so), not two
# platforms overlapping each other.
_Unit: TypeAlias = str | int


def _platforms(stack: _Stack) -> tuple[list[_Draft], dict[str, list[_Unit]]]:
    """One finding per platform, naming the separate tools that do part of its job.

    Also returns, per capability, the platforms that have it: what the duplicate capability
    rule needs to know which overlaps are already explained.
    """
    platforms: dict[_Unit, list[int]] = {}
    for position, rule in enumerate(stack.platform_rule):
        if rule is not None:
            platforms.setdefault(stack.tools[position].catalog_key or position, []).append(position)
    units_by_capability: dict[str, list[_Unit]] = defaultdict(list)
    for unit, members in platforms.items():
        for capability in frozenset().union(*(stack.capabilities[p] for p in members)):
            units_by_capability[capability].append(unit)
    separate: dict[_Unit, list[int]] = defaultdict(list)
    shared: dict[_Unit, set[str]] = defaultdict(set)
    # Walking the tools once and looking platforms up by capability keeps this linear in the
    # size of the answer, where asking every platform about every tool would be quadratic.
    # Tools repeat a few catalog entries, so each (capabilities, key) is looked up once.
    seen: dict[tuple[frozenset[str], str | None], tuple[_Unit, ...]] = {}
    for position, rule in enumerate(stack.platform_rule):
        if rule is not None:
            continue
        provided, key = stack.capabilities[position], stack.tools[position].catalog_key
        hits = seen.get((provided, key))
        if hits is None:
            found: dict[_Unit, None] = {}
            for capability in provided:
                for unit in units_by_capability.get(capability, ()):
                    if unit != key:
                        shared[unit].add(capability)
                        found[unit] = None
            hits = seen[provided, key] = tuple(found)
        for unit in hits:
            separate[unit].append(position)
    drafts = []
    for unit, members in platforms.items():
        others = separate.get(unit)
        if not others:
            continue
        platform = stack.tools[members[0]]
        capabilities = _sorted_capabilities(shared[unit])
        rules = {stack.platform_rule[position] for position in members}
        drafts.append(
            _Draft(
                id=_make_id("twice", unit) if isinstance(unit, str) else f"twice-t{platform.id}",
                kind="platform-paid-twice",
                rule="catalog-platform" if "catalog-platform" in rules else "spans-layers",
                layers=_capability_layers(capabilities),
                capabilities=capabilities,
                members=sorted([*members, *others]),
                reason=(
                    f"{platform.name} already covers {_listing(capabilities)}, yet "
                    f"{_names(stack, others)} {'is' if len(others) == 1 else 'are'} "
                    "paid for separately."
                ),
                saving=_in_decimals(_spend(stack, others, keep_zero=False)),
                basis="The separate tools' monthly cost, if the platform took over their work.",
            )
        )
    return drafts, units_by_capability


def _duplicate_capabilities(
    stack: _Stack, platform_units: Mapping[str, Sequence[_Unit]]
) -> Iterator[_Draft]:
    for capability in _sorted_capabilities(stack.by_capability):
        providers = stack.by_capability[capability]
        platforms = len(platform_units.get(capability, ()))
        if len(providers) < 2 or platforms == 1:
            # With one platform, every other provider is named in its platform-paid-twice
            # finding, which explains the overlap.
            continue
        if platforms > 1:
            # The separate tools are explained by each platform's own finding; what is left is
            # the platforms overlapping each other.
            members: Sequence[int] = [p for p in providers if stack.platform_rule[p]]
            what = "platforms"
        else:
            # Two registrations of one catalog tool are one tool here: that is its own finding.
            if len({stack.tools[p].catalog_key or p for p in providers}) < 2:
                continue
            members, what = providers, "tools"
        yield _Draft(
            id=_make_id("dup", capability),
            kind="duplicate-capability",
            rule="capability",
            layers=_capability_layers((capability,)),
            capabilities=(capability,),
            members=members,
            reason=f"{len(members)} {what} provide {capability}: {_names(stack, members)}.",
            saving=_all_but_dearest(stack, members),
            basis=_DEAREST_BASIS,
        )


def _too_many_tools(stack: _Stack) -> Iterator[_Draft]:
    for layer in LAYERS:
        members = stack.by_layer.get(layer.number, ())
        if len(members) < 2:
            continue
        provided = frozenset().union(*(stack.capabilities[position] for position in members))
        capabilities = _capabilities_in(provided, (layer.number,))
        if len(members) > len(capabilities):
            yield _Draft(
                id=f"over-{layer.key}-tools",
                kind="over-investment",
                rule="tools-exceed-capabilities",
                layers=(layer.number,),
                capabilities=capabilities,
                members=members,
                reason=(
                    f"{layer.title} has {len(members)} tools for {len(capabilities)} "
                    f"{'capability' if len(capabilities) == 1 else 'capabilities'}."
                ),
            )


def _spend_share(stack: _Stack) -> Iterator[_Draft]:
    """Layers holding more than half the non-compute spend in some currency."""
    non_compute = [layer for layer in LAYERS if layer.number != COMPUTE]
    if sum(1 for layer in non_compute if stack.by_layer.get(layer.number)) < 2:
        return
    # Shared evenly over a tool's layers, as spend_by_currency(..., layer=n) does, so the layers
    # add up to the stack's spend rather than counting a platform in every layer it touches.
    by_layer: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for position, currency in enumerate(stack.currencies):
        layers = stack.layers[position]
        if currency is None or not layers:
            continue
        share = stack.cents[currency][position] * _SHARES // len(layers)
        for number in layers:
            if number != COMPUTE:
                by_layer[number][currency] += share
                totals[currency] += share
    # A currency only one layer is paid in says nothing about balance: one EUR tool would
    # otherwise make its layer "100% of the EUR spend".
    layers_paid = {
        currency: sum(1 for layer in non_compute if by_layer[layer.number].get(currency))
        for currency in totals
    }
    for layer in non_compute:
        spend = by_layer[layer.number]
        heavy = [
            f"{_shares(spend[currency], currency)} of {_shares(total, currency)}"
            for currency, total in sorted(totals.items())
            if total > 0 and layers_paid[currency] >= 2 and spend.get(currency, 0) * 2 > total
        ]
        if heavy:
            yield _Draft(
                id=f"over-{layer.key}-spend",
                kind="over-investment",
                rule="spend-share",
                layers=(layer.number,),
                capabilities=(),
                members=stack.by_layer[layer.number],
                reason=(
                    f"{layer.title} takes more than half of the non-compute spend: "
                    f"{', '.join(heavy)} a month."
                ),
            )


def _build_vs_buy(stack: _Stack, owned: frozenset[int]) -> Iterator[_Draft]:
    """Rent-or-build advice against the layers the team owns; the rule of thumb without them."""
    if not owned:
        yield from _rent_this(stack)
        return
    only_tool_in: dict[int, list[int]] = defaultdict(list)
    for number in sorted(owned):
        members = stack.by_layer.get(number, ())
        if len(members) == 1 and stack.tools[members[0]].sourcing == "buy":
            only_tool_in[members[0]].append(number)
    for position, tool in enumerate(stack.tools):
        if tool.sourcing == "build":
            outside = tuple(n for n in stack.layers[position] if n not in owned)
            if outside:
                reason = (
                    f"{tool.name} is built in-house in {_layer_titles(outside)}, which you "
                    "don't own: rent this."
                )
                yield _tool_draft(stack, position, "build", "build-outside-owned", outside, reason)
        elif position in only_tool_in:
            layers = tuple(only_tool_in[position])
            reason = (
                f"You said you own {_layer_titles(layers)} but rent all of it: {tool.name} is "
                "the only tool there."
            )
            yield _tool_draft(stack, position, "bought", "bought-only-owned", layers, reason)


def _rent_this(stack: _Stack) -> Iterator[_Draft]:
    for position, tool in enumerate(stack.tools):
        if tool.sourcing != "build" or not (commodity := stack.capabilities[position] & RENTABLE):
            continue
        capabilities = _sorted_capabilities(commodity)
        yield _tool_draft(
            stack,
            position,
            "build",
            "rent-this",
            _capability_layers(capabilities),
            f"{tool.name} is built in-house, but {_listing(capabilities)} is a commodity: "
            "rent this.",
        )._replace(capabilities=capabilities)


def _gaps(stack: _Stack) -> Iterator[_Draft]:
    for layer in LAYERS:
        if not stack.by_layer.get(layer.number):
            yield _Draft(
                id=f"gap-{layer.key}",
                kind="gap",
                rule="empty-layer",
                layers=(layer.number,),
                capabilities=(),
                members=(),
                reason=f"Nothing in the stack covers {layer.title}.",
            )


def _stale(stack: _Stack, today: date) -> Iterator[_Draft]:
    for position, tool in enumerate(stack.tools):
        layers = stack.layers[position]
        if not tool.owner_id:
            reason = f"{tool.name} has no owner."
            yield _tool_draft(stack, position, "owner", "no-owner", layers, reason)
        if tool.next_review_on is not None and tool.next_review_on < today:
            reason = f"{tool.name} was due for review on {tool.next_review_on.isoformat()}."
            yield _tool_draft(stack, position, "review", "review-overdue", layers, reason)


_TOOL_RULE_KIND = {
    "build-outside-owned": "build-vs-buy",
    "bought-only-owned": "build-vs-buy",
    "rent-this": "build-vs-buy",
    "no-owner": "stale-record",
    "review-overdue": "stale-record",
}


def _tool_draft(
    stack: _Stack, position: int, prefix: str, rule: str, layers: tuple[int, ...], reason: str
) -> _Draft:
    """A finding about one tool, in `layers` of its layers; ids use the tool's store id."""
    return _Draft(
        id=f"{prefix}-t{stack.tools[position].id}",
        kind=_TOOL_RULE_KIND[rule],
        rule=rule,
        layers=layers,
        capabilities=_capabilities_in(stack.capabilities[position], layers),
        members=(position,),
        reason=reason,
    )


def _unique_ids(drafts: Iterable[_Draft]) -> Iterator[_Draft]:
    """Ids made unique; only keys outside the catalog ("A b" and "a-b") or repeated tool ids
    ever collide, and the later draft in rule order gets a numbered id."""
    seen: set[str] = set()
    for draft in drafts:
        candidate, count = draft.id, 1
        while candidate in seen:
            count += 1
            suffix = f"-{count}"
            candidate = draft.id[: MAX_ID - len(suffix)] + suffix
        seen.add(candidate)
        yield draft if candidate == draft.id else draft._replace(id=candidate)


def _finish(
    stack: _Stack, draft: _Draft, accepted: Mapping[str, str]
) -> tuple[tuple[int, int, int, int, str], Finding]:
    """The finding, after the key it sorts by: kind, then most money first, then the first
    layer (so gaps read 1 to 7), then id."""
    finding_id, kind, rule, layers, capabilities, members, reason, saving, basis = draft
    fingerprint = _fingerprint(stack, finding_id, members)
    cost = _spend(stack, members, keep_zero=True)
    saved = int(sum(saving.values(), _ZERO).scaleb(2)) if saving else 0
    first_layer = layers[0] if layers else len(LAYERS) + 1
    key = (_KIND_ORDER[kind], -saved, -sum(cost.values()), first_layer, finding_id)
    return key, Finding(
        id=finding_id,
        kind=kind,
        rule=rule,
        layers=layers,
        capabilities=capabilities,
        tools=_pick(stack.tools, members),
        monthly_cost=_in_decimals(cost),
        potential_saving=saving,
        saving_basis=basis,
        reason=reason,
        fingerprint=fingerprint,
        accepted=accepted.get(finding_id) == fingerprint,
    )


def _fingerprint(stack: _Stack, finding_id: str, members: Sequence[int]) -> str:
    """The finding's id and its tools' store ids, sorted: renaming a tool keeps it, adding or
    removing one changes it."""
    if len(members) == 1:  # the bytes array("q") would give, without building one
        ids = stack.ids[members[0]].to_bytes(8, "little", signed=True)
    else:
        column = array("q", sorted(_pick(stack.ids, members)))
        if sys.byteorder == "big":  # stored fingerprints must not depend on the machine
            column.byteswap()
        ids = column.tobytes()
    return hashlib.blake2b(finding_id.encode() + b"\0" + ids, digest_size=8).hexdigest()


def _spend(stack: _Stack, members: Sequence[int], *, keep_zero: bool) -> dict[str, int]:
    """Cents per currency."""
    if len(members) == 1:  # most findings are about one tool
        currency = stack.currencies[members[0]]
        if currency is None:
            return {}
        cents = stack.cents[currency][members[0]]
        return {currency: cents} if cents or keep_zero else {}
    totals = {}
    for currency, column in stack.cents.items():
        total = sum(_pick(column, members))
        if total or (keep_zero and any(_pick(stack.priced[currency], members))):
            totals[currency] = total
    return totals


def _all_but_dearest(stack: _Stack, members: Sequence[int]) -> dict[str, Decimal]:
    # Without exchange rates there is no "most expensive" across currencies, so each currency
    # keeps its own dearest tool. Costs are never negative (parse_cost refuses them), so the
    # zero of a tool priced in another currency never wins max().
    saving = {}
    for currency, column in stack.cents.items():
        amounts = _pick(column, members)
        if amounts and (rest := sum(amounts) - max(amounts)):
            saving[currency] = rest
    return _in_decimals(saving)


def _pick(column: Sequence[_T], members: Sequence[int]) -> tuple[_T, ...]:
    """column[m] for each member, in C: most of the work behind a finding of many tools."""
    if len(members) > 1:
        return cast(tuple[_T, ...], itemgetter(*members)(column))
    return (column[members[0]],) if members else ()


def _in_decimals(cents: Mapping[str, int]) -> dict[str, Decimal]:
    """Cents as Decimal amounts, largest first, the way spend_by_currency orders them."""
    if len(cents) == 1:  # most findings are about one tool
        [(currency, amount)] = cents.items()
        return {currency: Decimal(amount).scaleb(-2)}
    ordered = sorted(cents.items(), key=lambda item: (-item[1], item[0]))
    return {currency: Decimal(amount).scaleb(-2) for currency, amount in ordered}


def _shares(shares: int, currency: str) -> str:
    return format_amount((Decimal(shares) / (100 * _SHARES)).quantize(CENT), currency)


def _make_id(prefix: str, text: str) -> str:
    body = _NOT_ID.sub("-", text.lower()).strip("-") or "x"
    return f"{prefix}-{body}"[:MAX_ID].rstrip("-")


def _sorted_capabilities(capabilities: Iterable[str]) -> tuple[str, ...]:
    """In the order core/layers.py lists them; unknown ones last, alphabetically."""
    unknown = len(_CAPABILITY_ORDER)
    return tuple(sorted(set(capabilities), key=lambda c: (_CAPABILITY_ORDER.get(c, unknown), c)))


@lru_cache(maxsize=4096)
def _capabilities_in(provided: frozenset[str], layers: tuple[int, ...]) -> tuple[str, ...]:
    # Cached: thousands of per-tool findings ask this about a few catalog entries' capabilities.
    return _sorted_capabilities(c for c in provided if CAPABILITY_LAYER.get(c) in layers)


def _capability_layers(capabilities: Iterable[str]) -> tuple[int, ...]:
    return tuple(sorted({CAPABILITY_LAYER[c] for c in capabilities if c in CAPABILITY_LAYER}))


def _names(stack: _Stack, members: Sequence[int]) -> str:
    shown = [stack.tools[position].name for position in members[: _SHOWN + 1]]
    return _listing(shown, total=len(members))


def _listing(items: Sequence[str], *, total: int | None = None) -> str:
    """ "a", "a and b", "a, b and c", "a, b, c and 4 more"."""
    total = len(items) if total is None else total
    if total > _SHOWN + 1:
        return f"{', '.join(items[:_SHOWN])} and {total - _SHOWN} more"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _layer_titles(layers: Iterable[int]) -> str:
    return _listing([LAYER_BY_NUMBER[n].title for n in layers])
