"""What a vendor review puts on one screen (issue 22): the tool's bill over the last months
beside its registered cost, the findings that name it, and who else does each of its main jobs,
in the stack and in the catalog (open source or bought). Pure: the caller loads the rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.analysis import Finding
from core.catalog import Catalog, split_capabilities
from core.stack import StackTool

MONTHS = 6  # of bills shown
CATALOG_SHOWN = 3  # catalog alternatives per main job


@dataclass(frozen=True, slots=True)
class Job:
    """One main job of the reviewed tool and who else does it as a main job."""

    capability: str
    in_stack: tuple[str, ...]
    in_catalog: tuple[tuple[str, str], ...]  # (name, "open source" or "bought")


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    billed: tuple[tuple[date, str, Decimal], ...]  # month, currency, amount; oldest first
    findings: tuple[str, ...]  # each finding's one line that names the tool
    jobs: tuple[Job, ...]


def review_facts(
    tool: StackTool,
    *,
    tools: Sequence[StackTool],
    findings: Sequence[Finding],
    billed: Sequence[tuple[date, str, Decimal]],
    catalog: Catalog,
) -> ReviewFacts:
    main_jobs, _, _ = split_capabilities(tool.catalog_key, tool.capabilities)
    others = [t for t in tools if t.id != tool.id and t.active]
    in_stack_keys = {t.catalog_key for t in tools if t.catalog_key}
    jobs = []
    for capability in sorted(main_jobs):
        stack_names = sorted((t.name for t in others if capability in _main(t)), key=str.casefold)
        entries = sorted(
            (e for e in catalog.entries if capability in e.primary and e.key not in in_stack_keys),
            key=lambda e: e.name.casefold(),
        )
        shown = tuple(
            (e.name, "open source" if e.kind == "open-source" else "bought")
            for e in entries[:CATALOG_SHOWN]
        )
        jobs.append(Job(capability, tuple(stack_names), shown))
    named = tuple(
        f.reason for f in findings if not f.accepted and any(t.id == tool.id for t in f.tools)
    )
    return ReviewFacts(billed=tuple(billed), findings=named, jobs=tuple(jobs))


def _main(tool: StackTool) -> frozenset[str]:
    return split_capabilities(tool.catalog_key, tool.capabilities)[0]
