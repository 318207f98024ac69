"""Asking before buying: `/stack propose`, `/stack proposals`, and approving or declining one
(by command or by the buttons on its post). Pure of Slack: what to post comes back as Posts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core import grammar
from core.catalog import load_catalog
from core.errors import Rejected
from core.money import Cost
from core.options import UNSET
from core.proposals import Assessment, assess
from core.stack import StackTool
from core.text import normalise
from db import proposals as store
from db import tools
from db.engine import session_scope
from db.models import ACTIVE, APPROVED, DECLINED, Proposal, Tool, Workspace
from stack.base import Context, Post, Reply, check_people, is_admin, refusal, refuse
from stack.loaded import workspace_tools
from stack.tools import column_values, did_you_mean, put_tool
from templates.render import render


def propose(
    session: Session, workspace: Workspace, context: Context, command: grammar.Propose
) -> Reply:
    assert workspace.id is not None
    entry = load_catalog().find(command.name)
    fields = command.fields
    if entry is None and not context.confirmed:
        asked = did_you_mean(
            context, command.name, load_catalog().suggest(command.name), verb="propose"
        )
        if asked is not None:
            return asked
    if entry is None and fields.layers is UNSET and fields.capabilities is UNSET:
        hint = load_catalog().suggest(command.name)
        if hint is not None:
            raise Rejected("misspelt_tool", value=command.name, suggestion=hint.name)
        raise Rejected("unknown_tool_needs_layer", value=command.name)
    name = entry.name if entry else command.name
    existing = tools.find_tool(
        session=session, workspace_id=workspace.id, name_key=normalise(name),
        catalog_key=entry.key if entry else None,
    )  # fmt: skip
    if existing is not None and existing.status == ACTIVE:
        raise Rejected("propose_exists", name=existing.name)
    waiting = store.pending_named(
        session=session, workspace_id=workspace.id, name_key=normalise(name)
    )
    if waiting is not None:
        raise Rejected("already_proposed", name=waiting.name, proposer=waiting.proposed_by)
    refused = check_people(session, workspace, context, fields, owner_id=None)
    if refused is not None:
        return refused
    values = column_values(fields, entry=entry, current=None)
    values.update(name=name, catalog_key=entry.key if entry else None)
    proposal = store.create(
        session=session, workspace_id=workspace.id, name=name, name_key=normalise(name),
        values=_stored(values), why=command.why, actor=context.user_id, now=context.now,
    )  # fmt: skip
    tools.record_event(
        session=session, workspace_id=workspace.id, actor=context.user_id, action="propose",
        after={"proposal": name, "id": str(proposal.id)}, now=context.now,
    )  # fmt: skip
    found = assess(as_stack_tool(proposal), workspace_tools(session, workspace))
    channel = workspace.review_channel or workspace.digest_channel
    answer = render("proposal", proposal=proposal, found=found, cost=proposal_cost(proposal),
                    audience="proposer", channel=channel)  # fmt: skip
    posts: tuple[Post, ...] = ()
    if channel is not None:
        review = render("proposal", proposal=proposal, found=found, cost=proposal_cost(proposal),
                        audience="reviewers", channel=channel)  # fmt: skip
        posts = (Post(channel, review),)
    return Reply(answer, posts=posts)


def proposals(
    session: Session, workspace: Workspace, context: Context, command: grammar.Proposals
) -> Reply:
    assert workspace.id is not None
    if command.action is not None:
        assert command.proposal_id is not None
        return decide(
            session, workspace, context, command.proposal_id,
            approve=command.action == "approve", reason=command.reason,
        )  # fmt: skip
    pending = store.pending(session=session, workspace_id=workspace.id)
    stack = workspace_tools(session, workspace)
    shown = [(p, assess(as_stack_tool(p), stack), proposal_cost(p)) for p in pending]
    return Reply(render("proposals", shown=shown, zone=workspace.timezone))


def decide(
    session: Session,
    workspace: Workspace,
    context: Context,
    proposal_id: int,
    *,
    approve: bool,
    reason: str | None,
) -> Reply:
    """Approve (the tool is added as proposed) or decline (with a reason) a pending proposal.
    Stack admins and the owners of the tools it overlaps may; every refusal is recorded."""
    assert workspace.id is not None
    proposal = decidable(session, workspace, context, proposal_id)
    if isinstance(proposal, Reply):
        return proposal
    if not approve and not reason:
        raise Rejected("empty_decline_reason", proposer=proposal.proposed_by)
    status = APPROVED if approve else DECLINED
    if not store.settle(session=session, proposal=proposal, status=status,
                        actor=context.user_id, now=context.now, reason=reason):  # fmt: skip
        return _settled(session, workspace, context, proposal)
    if approve:
        _add(session, workspace, context, proposal)
    tools.record_event(
        session=session, workspace_id=workspace.id, actor=context.user_id,
        action=f"proposal-{status}", after={"proposal": proposal.name, "reason": reason},
        now=context.now,
    )  # fmt: skip
    cost = proposal_cost(proposal)
    public = render("proposal_decided", proposal=proposal, cost=cost, audience="reviewers")
    told = render("proposal_decided", proposal=proposal, cost=cost, audience="proposer")
    return Reply(public, public=True, posts=(Post(proposal.proposed_by, told),))


def decidable(
    session: Session, workspace: Workspace, context: Context, proposal_id: int
) -> Proposal | Reply:
    """The pending proposal `proposal_id` if this person may decide it, else the refusal
    (recorded): none in this workspace, decided already, or not theirs to decide."""
    assert workspace.id is not None
    proposal = store.get(session=session, workspace_id=workspace.id, proposal_id=proposal_id)
    if proposal is None:
        return refuse(session, workspace, context, "no_such_proposal", value=str(proposal_id))
    if proposal.status != "pending":
        return _settled(session, workspace, context, proposal)
    found = assess(as_stack_tool(proposal), workspace_tools(session, workspace))
    if context.user_id not in found.owners and not is_admin(session, workspace, context):
        return refuse(session, workspace, context, "not_decider", name=proposal.name)
    return proposal


def run_decision(
    engine: Engine, context: Context, proposal_id: int, *, approve: bool, reason: str | None
) -> Reply:
    """A button's (or the decline form's) decision, in one transaction."""
    try:
        with session_scope(engine) as session:
            workspace = tools.ensure_workspace(
                session=session, team_id=context.team_id, now=context.now, zone=context.zone
            )
            return decide(session, workspace, context, proposal_id, approve=approve, reason=reason)
    except Rejected as rejected:
        return refusal(rejected)


def _add(session: Session, workspace: Workspace, context: Context, proposal: Proposal) -> None:
    """The tool as proposed. Added since by someone else? Then approving cannot add it twice."""
    assert workspace.id is not None
    values = _loaded(proposal.values)
    existing = tools.find_tool(
        session=session, workspace_id=workspace.id, name_key=proposal.name_key,
        catalog_key=values.get("catalog_key"),
    )  # fmt: skip
    if existing is not None and existing.status == ACTIVE:
        raise Rejected("propose_exists", name=existing.name)
    values["name_key"] = proposal.name_key
    tool = put_tool(session, workspace, context, values, existing=existing)
    proposal.tool_id = tool.id
    session.add(proposal)


def _settled(session: Session, workspace: Workspace, context: Context, proposal: Proposal) -> Reply:
    return refuse(
        session, workspace, context, "proposal_settled", name=proposal.name,
        status=proposal.status, by=proposal.decided_by or "",
    )  # fmt: skip


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: a renewal date as ISO text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _loaded(values: dict[str, Any]) -> dict[str, Any]:
    loaded = dict(values)
    if isinstance(loaded.get("renews_on"), str):
        loaded["renews_on"] = date.fromisoformat(loaded["renews_on"])
    return loaded


def proposed_tool(proposal: Proposal) -> Tool:
    """The tool as it would be added: a row of the stack's own kind, never stored."""
    values = _loaded(proposal.values)
    values.update(name=proposal.name, name_key=proposal.name_key)
    return Tool(workspace_id=proposal.workspace_id, **values)


def proposal_cost(proposal: Proposal) -> Cost | None:
    return tools.cost_of(proposed_tool(proposal))


def as_stack_tool(proposal: Proposal) -> StackTool:
    """The proposed tool as the rules see it; id 0 is no stored tool's."""
    return tools.to_stack_tool(proposed_tool(proposal))


__all__ = ["Assessment", "decidable", "decide", "proposals", "propose", "run_decision"]
