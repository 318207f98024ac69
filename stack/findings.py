"""The analysis commands: overlaps (and deciding on them), spend and the owned-layers setting."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from core import grammar
from core.analysis import Finding
from core.errors import Rejected
from core.layers import LAYER_BY_NUMBER
from core.text import nearest
from db import findings as decisions
from db import tools as store
from db.models import Workspace
from stack.base import Context, Reply
from stack.loaded import load_stack
from templates.render import render

OVERLAPS_LIMIT = 25  # findings in one reply, each a section with its own button
BAR_WIDTH = 20


def overlaps(
    session: Session, workspace: Workspace, context: Context, command: grammar.Overlaps
) -> Reply:
    loaded = load_stack(session, workspace, context.today(workspace))
    findings, summary = loaded.findings, loaded.summary
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
    findings = load_stack(session, workspace, context.today(workspace)).findings
    finding = _finding(findings, command.finding_id)
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
    findings = load_stack(session, workspace, context.today(workspace)).findings
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
    loaded = load_stack(session, workspace, context.today(workspace))
    totals = loaded.map.spend
    rows = [
        {
            "layer": layer.layer,
            "tools": len(layer.tools),
            "spend": [
                (currency, amount, _share(amount, totals[currency]))
                for currency, amount in layer.spend.items()
            ],
        }
        for layer in loaded.map.layers
    ]
    message = render(
        "spend", rows=rows, totals=totals, width=BAR_WIDTH, tool_count=loaded.map.tool_count,
        actual=loaded.actual,
    )  # fmt: skip
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
