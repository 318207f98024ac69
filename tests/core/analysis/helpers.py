"""Tools and stacks for the analysis tests, written the way a team would register them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from core.analysis import Finding, analyse
from core.catalog import load_catalog
from core.layers import LAYERS
from core.money import Cost, Period
from core.options import implied_layers
from core.stack import StackTool

TODAY = date(2026, 11, 28)
ALICE = "UALICE"  # owns every tool unless a test says otherwise


def tool(
    id: int,
    name: str,
    caps: Sequence[str],
    *,
    layers: Sequence[int] = (),
    cost: str | int | None = None,
    currency: str = "USD",
    period: Period = "month",
    catalog_key: str | None = None,
    sourcing: str | None = None,
    owner: str | None = ALICE,
    active: bool = True,
    review: date | None = None,
    platform: bool | None = None,
    renews: date | None = None,
    notice: int | None = None,
) -> StackTool:
    """A tool added by hand: every capability it is given is a main job (with `catalog_key`,
    a catalog tool registered with the capabilities the team gave it)."""
    return StackTool(
        id=id,
        name=name,
        layers=tuple(sorted({*layers, *implied_layers(caps)})),
        capabilities=tuple(caps),
        catalog_key=catalog_key,
        sourcing=sourcing,
        cost=None if cost is None else Cost(Decimal(cost), currency, period),
        owner_id=owner,
        active=active,
        next_review_on=review,
        platform=platform,
        renews_on=renews,
        notice_days=notice,
    )


def catalog_tool(
    id: int,
    name: str,
    *,
    cost: str | int | None = None,
    currency: str = "USD",
    period: Period = "month",
    sourcing: str | None = None,
    owner: str | None = ALICE,
) -> StackTool:
    """A tool as `/stack add <name>` registers it: the catalog's layers and capabilities."""
    entry = load_catalog().find(name)
    assert entry is not None, name
    return StackTool(
        id=id,
        name=entry.name,
        layers=entry.layers,
        capabilities=entry.capabilities,
        catalog_key=entry.key,
        vendor=entry.vendor,
        sourcing=sourcing or entry.sourcing,
        cost=None if cost is None else Cost(Decimal(cost), currency, period),
        owner_id=owner,
    )


def run(
    *tools: StackTool,
    owned_layers: Collection[int] = (),
    accepted: Mapping[str, str] | None = None,
) -> list[Finding]:
    return analyse(tools, owned_layers=owned_layers, today=TODAY, accepted=accepted)


def of_kind(findings: Sequence[Finding], kind: str) -> list[Finding]:
    return [finding for finding in findings if finding.kind == kind]


def by_id(findings: Sequence[Finding]) -> dict[str, Finding]:
    return {finding.id: finding for finding in findings}


def names(tools: Sequence[StackTool]) -> list[str]:
    return [t.name for t in tools]


def usd(amount: str | int) -> dict[str, Decimal]:
    return {"USD": Decimal(amount)}


def covered(*, skip: Collection[int] = (), start: int = 900) -> list[StackTool]:
    """One cheap tool in each layer but `skip`, for a job nothing else in a test does, so gap
    findings stay out of the way."""
    return [
        tool(start + layer.number, f"zz {layer.key}", (layer.capabilities[-1],), cost=1)
        for layer in LAYERS
        if layer.number not in skip
    ]


def tool_in(
    id: int, name: str, layers: Sequence[int], caps: Sequence[str] = (), **given: Any
) -> StackTool:
    """`tool` with its layers first, as the picture tests write them."""
    return tool(id, name, caps, layers=layers, **given)
