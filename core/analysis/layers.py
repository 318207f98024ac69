"""Layer by layer: more tools than jobs, one layer eating the budget, empty layers, and thin
layers whose core needs nothing covers as its main job."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from decimal import Decimal

from core.analysis.model import Draft, either, layer_titles, listing, names, ordered
from core.coverage import coverage_of
from core.layers import CAPABILITY_LAYER, LAYERS
from core.money import format_amount
from core.profile import COMPUTE, Profile

GOVERNANCE = 7
# Below about US$10,000 a month of non-compute spend, one contract dominates a layer by nature
# and "more than half your spend" says nothing. Thresholds are per currency, set near that
# figure, only to decide whether the rule speaks; no amount is ever converted.
SPEND_SHARE_FLOOR: dict[str, Decimal] = {
    currency: Decimal(amount)
    for currency, amount in {
        **dict.fromkeys(("USD", "EUR", "GBP", "CHF"), 10_000),
        **dict.fromkeys(("CAD", "AUD", "NZD", "SGD"), 15_000),
        **dict.fromkeys(("SEK", "NOK", "DKK"), 100_000),
        **{"PLN": 40_000, "CZK": 230_000, "INR": 850_000, "CNY": 70_000, "HKD": 80_000},
        **{"KRW": 14_000_000, "JPY": 1_500_000, "BRL": 55_000, "MXN": 180_000},
        **{"ZAR": 180_000, "ILS": 37_000, "AED": 37_000, "TRY": 400_000},
    }.items()
}


def too_many_tools(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """A layer with more tools than distinct main jobs. A tool counts in a layer only where it
    has a primary capability: a platform's side features do not crowd a layer."""
    in_layer: dict[int, list[Profile]] = defaultdict(list)
    for p in profiles:
        # Model APIs and other tools billed by use are not consolidated like licences: moving
        # their traffic moves their bill (compute is its own layer, and counts there).
        if p.usage_billed and not p.compute:
            continue
        for number in p.main_layers:
            in_layer[number].append(p)
    for layer in LAYERS:
        members = in_layer.get(layer.number, [])
        jobs = ordered(c for p in members for c in p.primary if CAPABILITY_LAYER[c] == layer.number)
        if len(members) < 2 or len(members) <= len(jobs):
            continue
        yield Draft(
            id=f"over-{layer.key}-tools",
            kind="over-investment",
            rule="tools-exceed-capabilities",
            layers=(layer.number,),
            capabilities=jobs,
            members=tuple(members),
            reason=(
                f"{layer.title} has {len(members)} tools for {len(jobs)} "
                f"{'main job' if len(jobs) == 1 else 'main jobs'} ({listing(jobs)})."
            ),
            action=(
                f"Consolidate {layer.title}: `/stack overlaps {layer.key}` shows which tools do "
                "the same job."
            ),
        )


def spend_share(profiles: Sequence[Profile]) -> Iterator[Draft]:
    """A non-compute layer holding more than half the non-compute spend in a currency, in a
    stack that spends enough in it for the share to mean something. A tool's cost is shared
    evenly over the layers of its primary capabilities. Like compute, tools billed by use (a
    model API, whether from the catalog or typed by hand) are left out: their bill follows
    traffic, not a buying decision. The reason says the denominator and what it left out."""
    by_layer: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    payers: dict[int, list[Profile]] = defaultdict(list)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    left_out: dict[str, Decimal] = defaultdict(Decimal)
    for p in profiles:
        cost = p.tool.cost
        if cost is None or not cost.monthly:
            continue
        layers = {CAPABILITY_LAYER[c] for c in p.primary} - {COMPUTE}
        if p.usage_billed and layers:
            left_out[cost.currency] += cost.monthly
            continue
        if not layers:
            continue
        for number in layers:
            by_layer[number][cost.currency] += cost.monthly / len(layers)
            payers[number].append(p)
        totals[cost.currency] += cost.monthly
    for layer in LAYERS:
        spend = by_layer.get(layer.number, {})
        heavy = []
        for c, total in sorted(totals.items()):
            if (
                spend.get(c, 0) * 2 > total
                and total >= SPEND_SHARE_FLOOR.get(c, Decimal("Infinity"))
                and sum(1 for n in by_layer if by_layer[n].get(c)) >= 2
            ):
                share = format_amount(spend[c].quantize(Decimal("0.01")), c)
                figure = f"{share} of {format_amount(total, c)}"
                if left_out.get(c):
                    figure += (
                        f" (leaving out compute and {format_amount(left_out[c], c)} billed by use)"
                    )
                else:
                    figure += " (leaving out compute)"
                heavy.append(figure)
        if heavy:
            yield Draft(
                id=f"over-{layer.key}-spend",
                kind="over-investment",
                rule="spend-share",
                layers=(layer.number,),
                capabilities=(),
                members=tuple(payers[layer.number]),
                reason=(
                    f"{layer.title} takes more than half of the non-compute spend: "
                    f"{', '.join(heavy)} a month; a tool's cost is shared evenly over the layers "
                    "of its main jobs."
                ),
                action=f"Check that {layer.title} is worth more than half of what you spend "
                "outside compute, contract by contract.",
            )


def gaps(profiles: Sequence[Profile]) -> Iterator[Draft]:
    present = {n for p in profiles for n in p.tool.layers}
    for layer in LAYERS:
        if layer.number not in present:
            yield Draft(
                id=f"gap-{layer.key}",
                kind="gap",
                rule="empty-layer",
                layers=(layer.number,),
                capabilities=(),
                members=(),
                reason=f"Nothing in the stack covers {layer.title}.",
                action=f"Register what you use for {layer.title}, or add a tool for it.",
            )


def thin_layers(profiles: Sequence[Profile], owned: Collection[int]) -> Iterator[Draft]:
    """A layer the team owns, and governance always, that has tools but leaves a core need
    uncovered or met only by side features (CORE_NEEDS in core/coverage.py)."""
    for layer in coverage_of(profiles):
        number = layer.layer.number
        members = tuple(p for p in profiles if number in p.tool.layers)
        if not layer.thin or not members or (number not in owned and number != GOVERNANCE):
            continue
        missing = [need[0] for need in layer.thin if len(need) == 1] + [
            f"any of {listing(need)}" for need in layer.thin if len(need) > 1
        ]
        weak = ordered(c for need in layer.thin for c in need if layer.of(c).status == "secondary")
        unsaid = [p for p in members if not p.tool.capabilities]
        side = ""
        if weak:
            tools = {t.name: None for c in weak for t in layer.of(c).secondary}
            side = f"; {listing(weak)} only as a side feature of {listing(list(tools))}"
        yield Draft(
            id=f"thin-{layer.layer.key}",
            kind="thin-layer",
            rule="core-uncovered",
            layers=(number,),
            capabilities=ordered(c for need in layer.thin for c in need),
            members=members,
            reason=(
                f"{layer.layer.title} is thin: nothing does {either(missing)} as its main "
                f"job{side}."
            ),
            action=(
                f"Say what {names(unsaid)} {'does' if len(unsaid) == 1 else 'do'} (`caps:`), or add"
                if unsaid
                else "Add or register"
            )
            + f" tools for {listing(missing)} in {layer_titles((number,))}"
            + (", or say why side features are enough." if weak else "."),
        )
