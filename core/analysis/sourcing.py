"""Build or buy: own the layers that set the team apart, rent the commodities.

Commodities are capabilities with mature open-source and managed offerings, where a home-made
one is cost without advantage: a training framework, a tuner, experiment tracking, a model
registry, a vector database or embedding store, a warehouse, an LLM inference engine, a cluster
scheduler. Building one is flagged whatever layers the team owns. Not commodities: data
pipelines, feature logic, evaluation, data quality rules, governance policy, labeling, CI/CD,
a thin model service or gateway: that is where a team's own work lives.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from core.analysis.model import Draft, layer_titles, layers_of, listing, names, ordered
from core.layers import CAPABILITY_LAYER, LAYERS
from core.profile import Profile

COMMODITIES: frozenset[str] = frozenset(
    {
        *("distributed-training", "hyperparameter-tuning", "experiment-tracking"),
        *("model-registry", "vector-search", "embedding-store", "data-warehouse"),
        *("llm-serving", "cluster-scheduling"),
    }
)
# Tools a team runs itself: built, or open source it operates.
_ITS_OWN = frozenset({"build", "open-source"})


def build_vs_buy(profiles: Sequence[Profile], owned: Collection[int]) -> Iterator[Draft]:
    for p in profiles:
        if p.tool.sourcing == "build":
            draft = _built(p, owned)
            if draft is not None:
                yield draft
    for number in sorted(owned):
        draft = _bought_only(profiles, number)
        if draft is not None:
            yield draft


def _built(p: Profile, owned: Collection[int]) -> Draft | None:
    tool = p.tool
    commodity = ordered(p.primary & COMMODITIES)
    if commodity:
        return _tool_draft(
            p,
            rule="rent-this",
            capabilities=commodity,
            reason=f"{tool.name} is built in-house, but {listing(commodity)} "
            + ("is a commodity." if len(commodity) == 1 else "are commodities."),
            action=f"Rent {listing(commodity)} instead of building {tool.name}: "
            "`/stack help caps` lists the tools for it.",
        )
    outside = tuple(n for n in tool.layers if n not in owned)
    if not owned or not outside:
        return None
    return _tool_draft(
        p,
        rule="build-outside-owned",
        capabilities=ordered(c for c in p.primary if CAPABILITY_LAYER[c] in outside),
        reason=f"{tool.name} is built in-house in {layer_titles(outside)}, which you don't own.",
        action=f"Rent {tool.name}'s job, or add {layer_titles(outside)} to the layers you own "
        "(`/stack settings own …`).",
    )


def _tool_draft(
    p: Profile, *, rule: str, capabilities: tuple[str, ...], reason: str, action: str
) -> Draft:
    return Draft(
        id=f"build-t{p.tool.id}",
        kind="build-vs-buy",
        rule=rule,
        layers=layers_of(capabilities) or p.tool.layers,
        capabilities=capabilities,
        members=(p,),
        reason=reason,
        action=action,
    )


def _bought_only(profiles: Sequence[Profile], number: int) -> Draft | None:
    members = tuple(p for p in profiles if number in p.tool.layers)
    if not members or any(p.tool.sourcing in _ITS_OWN for p in members):
        return None
    layer = LAYERS[number - 1]
    return Draft(
        id=f"bought-{layer.key}",
        kind="build-vs-buy",
        rule="bought-only-owned",
        layers=(number,),
        capabilities=ordered(
            c for p in members for c in p.primary if CAPABILITY_LAYER[c] == number
        ),
        members=members,
        reason=f"You own {layer.title}, but nothing in it is yours: {names(members)}.",
        action=f"Decide what of {layer.title} you build or run yourself, or take it off the "
        "layers you own (`/stack settings own …`).",
    )
