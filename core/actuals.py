"""Actual spend from bills beside the registered cost, for show, spend, map and the digest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.billing import add_command, catalog_name, overspent
from core.catalog import Catalog
from core.money import Cost
from core.stack import StackTool

SHOWN = 8  # tools and unclaimed services listed in a message; the dearest first


@dataclass(frozen=True, slots=True)
class Actual:
    tool_id: int
    name: str
    billed: Mapping[str, Decimal]  # currency -> billed in the month
    registered: Cost | None
    over: bool  # well above the registered cost (core.billing.overspent)


@dataclass(frozen=True, slots=True)
class Unregistered:
    service: str
    currency: str
    amount: Decimal
    command: str


@dataclass(frozen=True, slots=True)
class Actuals:
    month: date
    tools: Sequence[Actual]
    unregistered: Sequence[Unregistered]

    @property
    def over(self) -> list[Actual]:
        return [actual for actual in self.tools if actual.over]

    def of(self, tool_id: int) -> Actual | None:
        return next((a for a in self.tools if a.tool_id == tool_id), None)


def actuals(
    tools: Sequence[StackTool],
    *,
    month: date,
    by_tool: Mapping[int, Mapping[str, Decimal]],
    unclaimed: Sequence[tuple[str, str, Decimal]],
    catalog: Catalog,
) -> Actuals:
    """The month's billed spend per registered tool, overspent tools first, then the dearest;
    and the AI spend no tool claims, each with the command that would register it."""
    known = {tool.id: tool for tool in tools}
    listed = []
    for tool_id, billed in by_tool.items():
        tool = known.get(tool_id)
        if tool is None:
            continue  # retired since the bill was read
        listed.append(Actual(tool_id, tool.name, billed, tool.cost, overspent(tool.cost, billed)))
    listed.sort(key=lambda a: (not a.over, -max(a.billed.values(), default=0), a.name.casefold()))
    unregistered = [
        Unregistered(
            service, currency, amount, add_command(service, catalog_name(catalog, service))
        )
        for service, currency, amount in unclaimed
    ]
    return Actuals(month=month, tools=listed, unregistered=unregistered)
