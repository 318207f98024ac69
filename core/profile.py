"""What a registered tool is for: its primary and secondary capabilities, and whether it is a
platform or a compute tool. The analysis, the coverage of each layer and the map all ask this.

A catalog tool's primary capabilities are what teams buy it for (core/catalog.toml); anything
a team gave a tool beyond the catalog's secondary features counts as primary, since the team
said that is what it uses it for. A tool added by hand has only primary capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from core.catalog import load_catalog, split_capabilities
from core.layers import CAPABILITY_LAYER
from core.stack import StackTool

COMPUTE = 1
COMPUTE_CAPABILITIES = frozenset(c for c, n in CAPABILITY_LAYER.items() if n == COMPUTE)
OTHER_CAPABILITIES = frozenset(CAPABILITY_LAYER) - COMPUTE_CAPABILITIES
# A provider's models, per token: the bill is the traffic, and two providers' models are not
# one product, so neither is ever the other's saving.
MODEL_APIS = frozenset({"hosted-model-api", "embeddings-api"})
# Billed by use: moving the work to another tool moves its bill too, so such a tool is never a
# saving, nor a keeper that would take another's work for free.
USAGE_BILLED = COMPUTE_CAPABILITIES | MODEL_APIS | {"serverless-inference"}


@dataclass(frozen=True, slots=True)
class Profile:
    tool: StackTool
    primary: frozenset[str]
    secondary: frozenset[str]
    platform: bool
    # A compute tool's main jobs are all compute (GPU clouds, schedulers): billed by use, and
    # never a double of anything but another compute tool.
    compute: bool
    # Billed by use: every main job metered (compute, serverless), or, outside a platform, a
    # provider's model API among its main jobs (a token bill with a gateway or a tracer on top
    # is still a token bill). Whether it came from the catalog or was typed by hand.
    usage_billed: bool
    main_layers: frozenset[int]  # the layers of its primary capabilities
    local: bool = False  # a runner for a laptop or a dev box (the catalog's role)
    # Two registrations of one catalog tool are one product; anything else is itself.
    unit: str = ""

    def covers(self, capabilities: frozenset[str]) -> bool:
        """Whether this tool does all of `capabilities` as its own main jobs."""
        return capabilities <= self.primary


def profile(tool: StackTool) -> Profile:
    primary, secondary, catalog_platform, compute, main_layers, local = _jobs(
        tool.catalog_key, tool.capabilities
    )
    platform = catalog_platform if tool.platform is None else tool.platform
    return Profile(
        tool=tool,
        primary=primary,
        secondary=secondary,
        platform=platform,
        compute=compute,
        usage_billed=bool(primary)
        and (primary <= USAGE_BILLED or (not platform and bool(primary & MODEL_APIS))),
        main_layers=main_layers,
        local=local,
        unit=tool.catalog_key or f"t{tool.id}",
    )


@lru_cache(maxsize=4096)
def _jobs(
    catalog_key: str | None, capabilities: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str], bool, bool, frozenset[int], bool]:
    """Cached: the tools of a large stack repeat a few catalog entries."""
    primary, secondary, platform = split_capabilities(catalog_key, capabilities)
    entry = load_catalog().by_key.get(catalog_key) if catalog_key else None
    return (
        primary,
        secondary,
        platform,
        bool(primary) and all(CAPABILITY_LAYER.get(c) == COMPUTE for c in primary),
        frozenset(CAPABILITY_LAYER[c] for c in primary if c in CAPABILITY_LAYER),
        entry is not None and entry.local,
    )
