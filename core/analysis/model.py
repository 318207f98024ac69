"""The finding model: what one finding says, how it is identified, and the stack's summary.

Rules (the sibling modules) produce `Draft`s; `finish` turns one into a `Finding` with its
money, fingerprint and accepted flag. Money is per currency and never converted.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from core.layers import CAPABILITY_LAYER, LAYER_BY_NUMBER
from core.money import format_amount
from core.profile import Profile
from core.stack import StackTool, spend_by_currency

KINDS: tuple[str, ...] = (
    "duplicate-registration",
    "platform-paid-twice",
    "duplicate-capability",
    "over-investment",
    "build-vs-buy",
    "gap",
    "thin-layer",
    "stale-record",
)
MAX_ID = 60
# A reason is one line in Slack: a finding behind a thousand tools names a few, counts the rest.
SHOWN = 3
_ZERO = Decimal(0)
_NOT_ID = re.compile(r"[^a-z0-9]+")
_CAPABILITY_ORDER = {capability: index for index, capability in enumerate(CAPABILITY_LAYER)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing worth a look, with the tools and money behind it.

    Only `redundant` tools earn a saving: tools whose every primary capability `keep` (or, in
    a group, the tool to keep) already does as its own main job. A tool can be redundant in
    two findings; `Summary.avoidable` counts its cost once.
    """

    id: str  # typeable and stable across runs: "dup-experiment-tracking", "owner-t42"
    kind: str  # one of KINDS
    rule: str  # which rule of the kind fired: "spend-share", "review-overdue" ...
    layers: tuple[int, ...]
    capabilities: tuple[str, ...]
    tools: tuple[StackTool, ...]  # sorted by (name.casefold(), id)
    monthly_cost: Mapping[str, Decimal]  # of all the tools above
    potential_saving: Mapping[str, Decimal]  # of the redundant tools; empty when none
    saving_basis: str  # how the saving was worked out, "" without one
    reason: str  # one line for people; tool names raw, the template escapes them
    action: str  # what to do about it, one line a person can act on
    fingerprint: str  # of the id and the tools' ids: changes when the set of tools does
    accepted: bool  # the team accepted it with this very fingerprint
    redundant: tuple[StackTool, ...] = ()  # whose cost is the saving
    keep: StackTool | None = None  # the tool that would take over their work
    group: str = ""  # the decision it belongs to, for reading: "Data and vector databases: …"
    decide_by: date | None = None  # the cancel-by date of the contract to drop, when known
    # When no one tool does all of a redundant tool's main jobs but several do between them:
    # those tools, `keep` first. Otherwise empty, and `keep` alone takes over.
    keepers: tuple[StackTool, ...] = ()

    @property
    def yearly_saving(self) -> dict[str, Decimal]:
        """A year of the redundant tools' contracts, per currency (`yearly_cost`)."""
        return yearly_cost(self.redundant)


@dataclass(frozen=True, slots=True)
class Draft:
    """A finding as a rule states it; `finish` adds the money and the fingerprint."""

    id: str
    kind: str
    rule: str
    layers: tuple[int, ...]
    capabilities: tuple[str, ...]
    members: tuple[Profile, ...]
    reason: str
    action: str
    redundant: tuple[Profile, ...] = ()
    keep: Profile | None = None
    basis: str = ""
    group: str = ""
    decide_by: date | None = None
    keepers: tuple[Profile, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """The stack's avoidable spend, counted once, against its bill."""

    avoidable: Mapping[str, Decimal]  # per currency: redundant tools in open findings, each once
    spend: Mapping[str, Decimal]  # per currency: the stack's monthly bill
    redundant: tuple[StackTool, ...] = ()  # the tools behind `avoidable`, dearest first
    counts: Mapping[str, int] = field(default_factory=dict)  # open findings per kind
    # Redundant tools with no cost registered: records to tidy up, not money.
    tidy: tuple[StackTool, ...] = ()
    # The last cancel-by date among the redundant tools that have one: by then all of the
    # dated part of `avoidable` can be had. `undated` counts the tools with no renewal date.
    realisable_by: date | None = None
    undated: int = 0

    @property
    def redundant_tools(self) -> int:
        return len(self.redundant)

    @property
    def yearly(self) -> dict[str, Decimal]:
        """A year of the contracts behind `avoidable`, per currency (`yearly_cost`)."""
        return yearly_cost(self.redundant)

    @property
    def open(self) -> int:
        return sum(self.counts.values())


def finish(draft: Draft, accepted: Mapping[str, str]) -> Finding:
    tools = tuple(p.tool for p in draft.members)
    fingerprint = fingerprint_of(draft.id, [t.id for t in tools])
    redundant = tuple(p.tool for p in draft.redundant)
    return Finding(
        id=draft.id,
        kind=draft.kind,
        rule=draft.rule,
        layers=draft.layers,
        capabilities=draft.capabilities,
        tools=tools,
        monthly_cost=spend_by_currency(tools),
        potential_saving=_nonzero(spend_by_currency(redundant)) if redundant else {},
        saving_basis=draft.basis if redundant else "",
        reason=draft.reason,
        action=draft.action,
        fingerprint=fingerprint,
        accepted=accepted.get(draft.id) == fingerprint,
        redundant=redundant,
        keep=draft.keep.tool if draft.keep else None,
        group=draft.group,
        decide_by=draft.decide_by,
        keepers=tuple(p.tool for p in draft.keepers),
    )


def summarise(findings: Iterable[Finding], tools: Iterable[StackTool]) -> Summary:
    findings = list(findings)
    counts = dict.fromkeys(KINDS, 0)
    redundant: dict[int, StackTool] = {}
    for finding in findings:
        if not finding.accepted:
            counts[finding.kind] += 1
            redundant.update((t.id, t) for t in finding.redundant)
    paid = [t for t in redundant.values() if t.cost is not None and t.cost.monthly]
    free = [t for t in redundant.values() if t.cost is None or not t.cost.monthly]
    dates = [t.cancel_by for t in paid if t.cancel_by is not None]
    return Summary(
        avoidable=_nonzero(spend_by_currency(paid)),
        spend=spend_by_currency(t for t in tools if t.active),
        redundant=tuple(sorted(paid, key=_dearest_first)),
        counts=counts,
        tidy=tuple(sorted(free, key=lambda t: (t.name.casefold(), t.id))),
        realisable_by=max(dates, default=None),
        undated=len(paid) - len(dates),
    )


def _dearest_first(tool: StackTool) -> tuple[str, Decimal, str, int]:
    cost = tool.cost
    return (cost.currency if cost else "~", -(cost.monthly if cost else _ZERO), tool.name, tool.id)


def fingerprint_of(finding_id: str, tool_ids: Iterable[int]) -> str:
    """The finding's id and its tools' store ids, sorted: renaming a tool keeps it, adding or
    removing one changes it. Stored with every accepted finding, so it never changes form:
    ids as signed 64-bit little-endian integers after the id and a NUL."""
    ordered_ids = sorted(tool_ids)
    ids = struct.pack(f"<{len(ordered_ids)}q", *ordered_ids)
    return hashlib.blake2b(finding_id.encode() + b"\0" + ids, digest_size=8).hexdigest()


def make_id(prefix: str, text: str) -> str:
    body = _NOT_ID.sub("-", text.lower()).strip("-") or "x"
    return f"{prefix}-{body}"[:MAX_ID].rstrip("-")


def unique_ids(drafts: Iterable[Draft]) -> Iterable[Draft]:
    """Ids made unique; only names outside the catalog ("A b" and "a-b") ever collide, and the
    later draft gets a numbered id."""
    seen: set[str] = set()
    for draft in drafts:
        candidate, count = draft.id, 1
        while candidate in seen:
            count += 1
            suffix = f"-{count}"
            candidate = draft.id[: MAX_ID - len(suffix)] + suffix
        seen.add(candidate)
        yield draft if candidate == draft.id else _renamed(draft, candidate)


def _renamed(draft: Draft, new_id: str) -> Draft:
    return replace(draft, id=new_id)


def _nonzero(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {currency: amount for currency, amount in amounts.items() if amount}


def ordered(capabilities: Iterable[str]) -> tuple[str, ...]:
    """In the order core/layers.py lists them; unknown ones last, alphabetically."""
    return _ordered(frozenset(capabilities))


@lru_cache(maxsize=4096)
def _ordered(capabilities: frozenset[str]) -> tuple[str, ...]:
    # Cached: thousands of findings ask this about a few catalog entries' capabilities.
    unknown = len(_CAPABILITY_ORDER)
    return tuple(sorted(capabilities, key=lambda c: (_CAPABILITY_ORDER.get(c, unknown), c)))


def layers_of(capabilities: Iterable[str]) -> tuple[int, ...]:
    return tuple(sorted({CAPABILITY_LAYER[c] for c in capabilities if c in CAPABILITY_LAYER}))


def names(profiles: Sequence[Profile]) -> str:
    return listing([p.tool.name for p in profiles[: SHOWN + 1]], total=len(profiles))


def listing(items: Sequence[str], *, total: int | None = None) -> str:
    """ "a", "a and b", "a, b and c", "a, b, c and 4 more"."""
    total = len(items) if total is None else total
    if total > SHOWN + 1:
        return f"{', '.join(items[:SHOWN])} and {total - SHOWN} more"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def either(items: Sequence[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def layer_titles(layers: Iterable[int]) -> str:
    return listing([LAYER_BY_NUMBER[n].title for n in layers])


def yearly_cost(tools: Iterable[StackTool]) -> dict[str, Decimal]:
    """Per currency, a year of each tool's contract: a yearly price as given, a monthly one
    times twelve (so "$14,000/yr" stays $14,000, not twelve rounded months)."""
    totals: dict[str, Decimal] = {}
    for tool in tools:
        cost = tool.cost
        if cost is not None and cost.amount:
            year = cost.amount if cost.period == "year" else cost.amount * 12
            totals[cost.currency] = totals.get(cost.currency, _ZERO) + year
    return totals


def per_year(amounts: Mapping[str, Decimal]) -> str:
    """ "$18,000/yr", per currency."""
    figures = [format_amount(amount, currency) for currency, amount in amounts.items()]
    if len(figures) == 1:
        return f"{figures[0]}/yr"
    return f"{listing(figures)} a year"


def day(when: date) -> str:
    """ "17 Dec 2026"."""
    return f"{when.day} {when:%b %Y}"


def per_month(amounts: Mapping[str, Decimal]) -> str:
    """ "$1,500/mo", "$1,500 and €300 a month"; currencies are never added together."""
    figures = [format_amount(amount, currency) for currency, amount in amounts.items()]
    if len(figures) == 1:
        return f"{figures[0]}/mo"
    return f"{listing(figures)} a month"


def by_name(profiles: Iterable[Profile]) -> tuple[Profile, ...]:
    return tuple(sorted(profiles, key=lambda p: (p.tool.name.casefold(), p.tool.id)))


def monthly_cost(profiles: Iterable[Profile]) -> dict[str, Decimal]:
    return _nonzero(spend_by_currency(p.tool for p in profiles))


def group_of(shared: Sequence[str]) -> str:
    """The decision a finding belongs to, for reading: the layer and first job it is about."""
    first = shared[0] if shared else ""
    layer = LAYER_BY_NUMBER.get(CAPABILITY_LAYER.get(first, 0))
    return f"{layer.title}: {first}" if layer else first
