"""A workspace's stack as plain data, and the seven-layer map of it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from core.catalog import split_capabilities
from core.layers import CAPABILITY_LAYER, LAYERS, Layer
from core.money import CENT, Cost

SOURCINGS = ("build", "buy", "open-source")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StackTool:
    """One registered tool, as the rules in core/ see it."""

    id: int
    name: str
    layers: tuple[int, ...]
    capabilities: tuple[str, ...] = ()
    catalog_key: str | None = None
    vendor: str | None = None
    sourcing: str | None = None
    cost: Cost | None = None
    owner_id: str | None = None
    former_owner_id: str | None = None  # who owned it until they left Slack
    active: bool = True
    next_review_on: date | None = None
    platform: bool | None = None  # the team's word; None: the catalog's
    renews_on: date | None = None  # the contract's renewal date, when the team gave one
    notice_days: int | None = None  # days before renewal it must be cancelled

    @property
    def cancel_by(self) -> date | None:
        """The last day to cancel before the contract renews; None without a renewal date."""
        if self.renews_on is None:
            return None
        return self.renews_on - timedelta(days=self.notice_days or 0)

    @property
    def monthly(self) -> Decimal | None:
        return self.cost.monthly if self.cost else None

    @property
    def main_layers(self) -> tuple[int, ...]:
        """The layers of its primary capabilities: where it does its main jobs, and where its
        cost is counted. A tool with no capabilities counts in every layer it is in."""
        primary, _, _ = split_capabilities(self.catalog_key, self.capabilities)
        layers = {CAPABILITY_LAYER[c] for c in primary if c in CAPABILITY_LAYER}
        return tuple(sorted(layers & set(self.layers))) or self.layers


def spend_by_currency(
    tools: Iterable[StackTool], *, layer: int | None = None
) -> dict[str, Decimal]:
    """Monthly spend per currency; currencies are never converted into each other.

    For one `layer`, a tool counts with an even share of its cost over the layers of its main
    jobs (none where it only has side features), so the layers of a stack add up to its total
    rather than counting a platform seven times.
    """
    totals: dict[str, Decimal] = {}
    for tool in tools:
        cost = tool.cost
        if cost is None:
            continue
        if layer is None:
            amount = cost.monthly  # whole cents: sums of them need no rounding
        elif layer in (main := tool.main_layers):
            amount = cost.monthly / len(main)
        else:
            continue
        totals[cost.currency] = totals.get(cost.currency, _ZERO) + amount
    if layer is not None:
        totals = {currency: total.quantize(CENT) for currency, total in totals.items()}
    if len(totals) < 2:
        return totals
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True, slots=True)
class LayerSummary:
    layer: Layer
    tools: tuple[StackTool, ...]
    spend: Mapping[str, Decimal]
    sourcing: Mapping[str, int]  # "build", "buy", "open-source", "unset" -> how many tools

    @property
    def is_gap(self) -> bool:
        return not self.tools


@dataclass(frozen=True, slots=True)
class StackMap:
    layers: tuple[LayerSummary, ...]
    tool_count: int
    spend: Mapping[str, Decimal]
    gaps: tuple[int, ...] = field(default=())
    marked: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


def stack_map(
    tools: Iterable[StackTool], *, marked: Mapping[int, tuple[str, ...]] | None = None
) -> StackMap:
    """All seven layers in order, each with its active tools (a tool in two layers is in both).

    `marked` carries notes per layer number from the analysis (over-invested ...).
    """
    active = sorted((t for t in tools if t.active), key=lambda t: (t.name.casefold(), t.id))
    by_layer: dict[int, list[StackTool]] = defaultdict(list)
    for tool in active:
        for number in tool.layers:
            by_layer[number].append(tool)
    summaries = []
    for layer in LAYERS:
        members = tuple(by_layer.get(layer.number, ()))
        counts = Counter(t.sourcing or "unset" for t in members)
        summaries.append(
            LayerSummary(
                layer=layer,
                tools=members,
                spend=spend_by_currency(members, layer=layer.number),
                sourcing={k: counts[k] for k in (*SOURCINGS, "unset") if counts[k]},
            )
        )
    return StackMap(
        layers=tuple(summaries),
        tool_count=len(active),
        spend=spend_by_currency(active),
        gaps=tuple(s.layer.number for s in summaries if s.is_gap),
        marked=dict(marked or {}),
    )
