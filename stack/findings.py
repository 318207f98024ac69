"""The analysis commands: overlaps (and deciding on them), spend and the owned-layers setting."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from core import grammar
from core.analysis import Finding, Summary, analyse, summarise
from core.coverage import LayerCoverage, coverage
from core.errors import Rejected
from core.layers import LAYER_BY_NUMBER, LAYERS
from core.stack import StackMap, StackTool, spend_by_currency, stack_map
from core.text import nearest
from db import findings as decisions
from db import tools as store
from db.models import Workspace
from stack.actual import load_actuals
from stack.base import Context, Reply
from templates.render import render

OVERLAPS_LIMIT = 25  # findings in one reply, each a section with its own button
BAR_WIDTH = 20


def load_findings(session: Session, workspace: Workspace, context: Context) -> list[Finding]:
    """The workspace's findings now, marked accepted where the team decided so."""
    return analyse_tools(session, workspace, context, workspace_tools(session, workspace))


@dataclass(frozen=True, slots=True)
class Picture:
    """The seven-layer map, how well each layer is covered, and what the analysis says."""

    map: StackMap
    coverage: tuple[LayerCoverage, ...]
    findings: list[Finding]
    summary: Summary

    @property
    def open_findings(self) -> int:
        return self.summary.open


MARKED_RULES = frozenset({"tools-exceed-capabilities", "spend-share", "core-uncovered"})


def stack_picture(session: Session, workspace: Workspace, context: Context) -> Picture:
    """The map with over-invested and thin layers marked by the rule that fired."""
    tools = workspace_tools(session, workspace)
    found = analyse_tools(session, workspace, context, tools)
    marked: dict[int, list[str]] = defaultdict(list)
    for finding in found:
        if finding.rule in MARKED_RULES and not finding.accepted:
            for layer in finding.layers:
                marked[layer].append(finding.rule)
    return Picture(
        map=stack_map(tools, marked={n: tuple(rules) for n, rules in marked.items()}),
        coverage=coverage(tools),
        findings=found,
        summary=summarise(found, tools),
    )


def workspace_tools(session: Session, workspace: Workspace) -> list[StackTool]:
    assert workspace.id is not None
    rows = store.list_tools(session=session, workspace_id=workspace.id)
    return [store.to_stack_tool(t) for t in rows]


def analyse_tools(
    session: Session, workspace: Workspace, context: Context, tools: list[StackTool]
) -> list[Finding]:
    assert workspace.id is not None
    return analyse(
        tools,
        owned_layers=workspace.owned_layers,
        today=context.today(workspace),
        accepted=decisions.accepted_findings(session=session, workspace_id=workspace.id),
    )


def overlaps(
    session: Session, workspace: Workspace, context: Context, command: grammar.Overlaps
) -> Reply:
    tools = workspace_tools(session, workspace)
    findings = analyse_tools(session, workspace, context, tools)
    summary = summarise(findings, tools)
    if command.layer is not None:
        findings = [f for f in findings if command.layer in f.layers]
    shown = [f for f in findings if f.accepted == command.accepted]
    message = render(
        "overlaps",
        findings=shown[:OVERLAPS_LIMIT],
        total=len(shown),
        accepted_count=sum(f.accepted for f in findings),
        layer=LAYER_BY_NUMBER[command.layer] if command.layer is not None else None,
        accepted_view=command.accepted,
        summary=summary,
    )
    return Reply(message)


def accept(
    session: Session, workspace: Workspace, context: Context, command: grammar.AcceptFinding
) -> Reply:
    assert workspace.id is not None
    finding = _finding(load_findings(session, workspace, context), command.finding_id)
    if finding.accepted:
        raise Rejected("finding_already_accepted", finding_id=finding.id)
    decisions.accept_finding(
        session=session,
        workspace_id=workspace.id,
        finding_id=finding.id,
        fingerprint=finding.fingerprint,
        reason=command.reason,
        actor=context.user_id,
        now=context.now,
    )
    store.record_event(
        session=session,
        workspace_id=workspace.id,
        actor=context.user_id,
        action="accept",
        after={"finding": finding.id, "reason": command.reason},
        now=context.now,
    )
    message = render(
        "finding_decided",
        finding=finding,
        reason=command.reason,
        actor=context.user_id,
        accepted=True,
    )
    return Reply(message, public=True)


def reopen(
    session: Session, workspace: Workspace, context: Context, command: grammar.ReopenFinding
) -> Reply:
    assert workspace.id is not None
    findings = load_findings(session, workspace, context)
    finding = _finding(findings, command.finding_id)
    if not finding.accepted:
        raise Rejected("finding_not_accepted", finding_id=finding.id)
    decisions.reopen_finding(session=session, workspace_id=workspace.id, finding_id=finding.id)
    store.record_event(
        session=session,
        workspace_id=workspace.id,
        actor=context.user_id,
        action="reopen",
        after={"finding": finding.id},
        now=context.now,
    )
    message = render(
        "finding_decided", finding=finding, reason=None, actor=context.user_id, accepted=False
    )
    return Reply(message, public=True)


def spend(
    session: Session, workspace: Workspace, context: Context, command: grammar.Spend
) -> Reply:
    if command.image:
        return Reply(render("picture_coming", picture="spend"), picture="spend")
    tools = workspace_tools(session, workspace)
    totals = spend_by_currency(tools)
    rows = []
    for layer in LAYERS:
        members = [t for t in tools if layer.number in t.layers]
        by_currency = spend_by_currency(members, layer=layer.number)
        rows.append(
            {
                "layer": layer,
                "tools": len(members),
                "spend": [
                    (currency, amount, _share(amount, totals[currency]))
                    for currency, amount in by_currency.items()
                ],
            }
        )
    actual = load_actuals(session, workspace, tools)
    message = render(
        "spend", rows=rows, totals=totals, width=BAR_WIDTH, tool_count=len(tools), actual=actual
    )
    return Reply(message)


def _finding(findings: list[Finding], finding_id: str) -> Finding:
    for finding in findings:
        if finding.id == finding_id:
            return finding
    raise Rejected(
        "unknown_finding",
        value=finding_id,
        suggestion=nearest(finding_id, [f.id for f in findings]),
    )


def _share(amount: Decimal, total: Decimal) -> int:
    """A whole percentage of `total`; 0 when there is nothing to share."""
    return int((amount * 100 / total).to_integral_value()) if total else 0
