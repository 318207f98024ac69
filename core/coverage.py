"""Which of each layer's capabilities the stack covers, by which tools, and how well.

A capability is covered when some tool does it as a primary capability (its main job), covered
only as a side feature when tools have it only as a secondary one, and uncovered otherwise.
Each layer has a few core needs: a layer whose core needs are uncovered, or met only by side
features, is thin, however many tools it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from core.layers import LAYERS, Layer
from core.profile import Profile, profile
from core.stack import StackTool

Status = Literal["covered", "secondary", "uncovered"]

# What a layer cannot do without. Each need is met by any one of its capabilities.
CORE_NEEDS: dict[int, tuple[tuple[str, ...], ...]] = {
    # Something to run on, and something to share it between jobs.
    1: (("gpu-compute", "accelerators", "cpu-compute"), ("cluster-scheduling", "gpu-scheduling")),
    # Some way to serve a model: self-hosted, LLM-specific, serverless or a provider's API.
    2: (("model-serving", "llm-serving", "serverless-inference", "hosted-model-api"),),
    # A model nobody can reproduce is a liability: runs tracked, training as a pipeline.
    3: (("experiment-tracking",), ("ml-pipelines",)),
    # Data moved and kept: pipelines into a store people can query.
    4: (("data-pipelines", "data-ingestion", "data-transformation"), ("data-warehouse",)),
    # Which model is live, and how it got there safely.
    5: (("model-registry",), ("ml-cicd",)),
    # Models judged before they ship, and watched after (drift for models, traces for LLM apps).
    6: (("model-evaluation",), ("drift-detection", "llm-tracing")),
    # Who may touch what, a record of who did, and the obligations it answers to.
    7: (("access-control",), ("audit-logging",), ("compliance",)),
}


@dataclass(frozen=True, slots=True)
class CapabilityCoverage:
    capability: str
    primary: tuple[StackTool, ...]  # tools whose main job this is
    secondary: tuple[StackTool, ...]  # tools that have it as a side feature

    @property
    def status(self) -> Status:
        if self.primary:
            return "covered"
        return "secondary" if self.secondary else "uncovered"


@dataclass(frozen=True, slots=True)
class LayerCoverage:
    layer: Layer
    capabilities: tuple[CapabilityCoverage, ...]  # in core/layers.py order
    thin: tuple[tuple[str, ...], ...]  # core needs no tool meets as its main job

    def of(self, capability: str) -> CapabilityCoverage:
        return next(c for c in self.capabilities if c.capability == capability)


def coverage(tools: Iterable[StackTool]) -> tuple[LayerCoverage, ...]:
    """All seven layers, for the active tools."""
    return coverage_of([profile(t) for t in tools if t.active])


def coverage_of(profiles: Sequence[Profile]) -> tuple[LayerCoverage, ...]:
    ordered = sorted(profiles, key=lambda p: (p.tool.name.casefold(), p.tool.id))
    primary: dict[str, list[StackTool]] = {}
    secondary: dict[str, list[StackTool]] = {}
    for p in ordered:
        for capability in p.primary:
            primary.setdefault(capability, []).append(p.tool)
        for capability in p.secondary:
            secondary.setdefault(capability, []).append(p.tool)
    layers = []
    for layer in LAYERS:
        capabilities = tuple(
            CapabilityCoverage(c, tuple(primary.get(c, ())), tuple(secondary.get(c, ())))
            for c in layer.capabilities
        )
        thin = tuple(
            need for need in CORE_NEEDS[layer.number] if not any(c in primary for c in need)
        )
        layers.append(LayerCoverage(layer, capabilities, thin))
    return tuple(layers)
