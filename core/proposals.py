"""Asking before buying: what the stack already has for a proposed tool's main jobs, and the
saving at stake if it would duplicate them.

The rule is the analysis's (core/analysis/overlaps.py): the proposed tool would be redundant,
and its cost a saving, only when one tool already in the stack does every one of its primary
capabilities as its own main job. A tool billed by use never claims a saving: moving the work
moves its bill too. A bought tool doing the commodity jobs of something the team built (the
analysis's `rent-this`) replaces it rather than duplicating it: the answer says so and sets
the two costs side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from core.analysis.sourcing import COMMODITIES
from core.layers import CAPABILITIES
from core.profile import profile
from core.stack import StackTool, spend_by_currency


@dataclass(frozen=True, slots=True)
class Already:
    """One of the proposed tool's main jobs, and the tools that already do it as theirs."""

    capability: str
    tools: tuple[StackTool, ...]  # by name


@dataclass(frozen=True, slots=True)
class Assessment:
    primary: tuple[str, ...]  # the proposed tool's main jobs, in core/layers.py order
    already: tuple[Already, ...]  # one per main job, covered or not
    covering: tuple[StackTool, ...]  # tools that already do all of its main jobs
    saving: dict[str, Decimal]  # per currency, a month; empty when it would not duplicate
    usage_billed: bool
    # Home-made tools the analysis tells the team to rent instead (`rent-this`), whose
    # commodity jobs the proposed tool does as its own: buying it replaces them, it does not
    # duplicate them, so no saving is at stake and the change is priced instead.
    replaces: tuple[StackTool, ...] = ()
    replaced_cost: dict[str, Decimal] = field(default_factory=dict)  # theirs, a month
    proposed_cost: dict[str, Decimal] = field(default_factory=dict)  # the proposal's, a month

    @property
    def overlapping(self) -> tuple[StackTool, ...]:
        """Every tool that does at least one of its main jobs, each once, by name."""
        seen: dict[int, StackTool] = {}
        for item in self.already:
            seen.update((t.id, t) for t in item.tools)
        return tuple(sorted(seen.values(), key=_by_name))

    @property
    def owners(self) -> tuple[str, ...]:
        """Who owns the overlapping tools: they may approve or decline, with the admins."""
        return tuple(sorted({t.owner_id for t in self.overlapping if t.owner_id}))

    @property
    def duplicates(self) -> bool:
        return bool(self.covering)


def assess(proposed: StackTool, stack: Iterable[StackTool]) -> Assessment:
    wanted = profile(proposed)
    others = [profile(t) for t in stack if t.active and t.id != proposed.id]
    others.sort(key=lambda p: _by_name(p.tool))
    primary = tuple(sorted(wanted.primary, key=_capability_order))
    already = tuple(Already(c, tuple(p.tool for p in others if c in p.primary)) for c in primary)
    covering = tuple(p.tool for p in others if primary and p.covers(wanted.primary))
    replaces: tuple[StackTool, ...] = ()
    if proposed.sourcing != "build":
        replaces = tuple(
            p.tool
            for p in others
            if p.tool.sourcing == "build" and p.primary & COMMODITIES & wanted.primary
        )
    saving: dict[str, Decimal] = {}
    cost = proposed.cost
    home_made = {t.id for t in replaces}
    duplicated = [t for t in covering if t.id not in home_made]
    if duplicated and not wanted.usage_billed and cost is not None and cost.monthly:
        saving = {cost.currency: cost.monthly}
    return Assessment(
        primary,
        already,
        covering,
        saving,
        wanted.usage_billed,
        replaces=replaces,
        replaced_cost={c: a for c, a in spend_by_currency(replaces).items() if a},
        proposed_cost={c: a for c, a in spend_by_currency((proposed,)).items() if a},
    )


def _by_name(tool: StackTool) -> tuple[str, int]:
    return (tool.name.casefold(), tool.id)


def _capability_order(capability: str) -> tuple[int, str]:
    known = capability in CAPABILITIES
    return (CAPABILITIES.index(capability) if known else len(CAPABILITIES), capability)
