"""What a workspace's stack gets wrong: paying twice, crowded or thin layers, build vs buy,
and stale records.

Pure: the caller passes the tools, the layers the team says it owns and `today`. Every finding
has an id a person can type ("dup-experiment-tracking") and a fingerprint of the tools behind
it, so a finding someone accepted comes back once the set of tools behind it changes. Findings
are independent: accepting one quiets that one only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from itertools import chain

from core.analysis.layers import gaps, spend_share, thin_layers, too_many_tools
from core.analysis.model import KINDS, Finding, Summary, finish, summarise, unique_ids
from core.analysis.overlaps import paying_twice, registrations
from core.analysis.sourcing import COMMODITIES, build_vs_buy
from core.analysis.stale import stale
from core.profile import profile
from core.stack import StackTool

__all__ = [
    "COMMODITIES",
    "KINDS",
    "Finding",
    "Summary",
    "analyse",
    "doubled_by_tool",
    "summarise",
    "summary_counts",
]

_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


def analyse(
    tools: Iterable[StackTool],
    *,
    owned_layers: Collection[int] = (),
    today: date,
    accepted: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding about the active `tools`, in the order a digest shows them: by kind, then
    most money first, then by layer (so gaps read 1 to 7), then by id."""
    active = sorted((t for t in tools if t.active), key=lambda t: (t.name.casefold(), t.id))
    profiles = tuple(profile(t) for t in active)
    owned = frozenset(owned_layers)
    drafts = chain(
        registrations(profiles),
        paying_twice(profiles),
        too_many_tools(profiles),
        spend_share(profiles),
        build_vs_buy(profiles, owned),
        gaps(profiles),
        thin_layers(profiles, owned),
        stale(profiles, today),
    )
    findings = [finish(draft, accepted or {}) for draft in unique_ids(drafts)]
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple[int, int, int, int, str]:
    # Amounts in different currencies are never added for people; for ordering only, the
    # biggest figure of each finding is as good a measure of "most money" as any.
    saving = max(finding.potential_saving.values(), default=0)
    cost = max(finding.monthly_cost.values(), default=0)
    first_layer = finding.layers[0] if finding.layers else 8
    return (
        _KIND_ORDER[finding.kind],
        -int(saving * 100),
        -int(cost * 100),
        first_layer,
        finding.id,
    )


def summary_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Open (not accepted) findings per kind, every kind present, in KINDS order."""
    counts = dict.fromkeys(KINDS, 0)
    for finding in findings:
        if not finding.accepted:
            counts[finding.kind] += 1
    return counts


def doubled_by_tool(findings: Iterable[Finding]) -> dict[int, Finding]:
    """Tool id -> the open finding that calls the tool redundant (one at most: no tool's cost is
    claimed twice), so a review or a reminder can say "a finding calls this a duplicate of Y:
    decide before …" next to the tool's own dates."""
    return {t.id: f for f in findings if not f.accepted and f.potential_saving for t in f.redundant}
