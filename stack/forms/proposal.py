"""The forms around proposals: the decline reason behind a proposal's Decline button, and the
App Home's "Propose a tool". Pure of Slack: views and outcomes in, as stack/forms/__init__.py."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine

from core import grammar
from core.errors import Rejected
from core.options import ToolFields, check_name, parse_option
from db.engine import session_scope
from db.tools import ensure_workspace
from stack.base import Context, Reply, refusal
from stack.forms import Outcome, inline
from stack.proposals import decidable, run_decision
from stack.run import run_parsed
from templates.render import render_view

# Refusals of the propose form, by the field they are about; the rest go under the name.
PROPOSE_FIELDS = {
    "bad_cost": "cost", "bad_currency": "cost", "bad_cost_period": "cost",
    "unknown_capability": "caps", "empty_value": "caps", "reason_too_long": "why",
}  # fmt: skip


def proposal_of(value: str) -> int | None:
    """The proposal a button carries; None for anything else."""
    try:
        number = json.loads(value)["proposal"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def check_decider(engine: Engine, context: Context, proposal_id: int) -> Reply | None:
    """Before a decline form opens: the refusal (recorded) if this person may not decide it."""
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
        )
        found = decidable(session, workspace, context, proposal_id)
        return found if isinstance(found, Reply) else None


def decline_form(
    engine: Engine, context: Context, proposal_id: int, where: dict[str, Any]
) -> dict[str, Any] | Reply:
    refused = check_decider(engine, context, proposal_id)
    if refused is not None:
        return refused
    metadata = json.dumps({"proposal": proposal_id, **where})
    return render_view("decline_form", metadata=metadata)


def submit_decline_form(engine: Engine, context: Context, metadata: str, reason: str) -> Outcome:
    try:
        meta = json.loads(metadata)
        proposal_id = int(meta["proposal"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return Outcome(errors={"reason": "This form is out of date: use /stack proposals."})
    reason = reason.strip()
    if not reason:
        return Outcome(errors={"reason": "Say why, so the person who proposed it knows."})
    if len(reason) > grammar.MAX_REASON:
        return Outcome(errors={"reason": f"At most {grammar.MAX_REASON} characters."})
    reply = run_decision(engine, context, proposal_id, approve=False, reason=reason)
    if not reply.ok:
        return Outcome(errors={"reason": inline(reply)})
    return Outcome(reply=reply, channel_id=meta.get("channel"), ts=meta.get("ts"))


def propose_form() -> dict[str, Any]:
    return render_view("propose_form")


def submit_propose_form(engine: Engine, context: Context, values: dict[str, str]) -> Outcome:
    """The App Home's form: the same checks and answer as `/stack propose`."""
    today = context.now.date()
    try:
        fields: dict[str, Any] = {}
        for key in ("cost", "caps"):
            if values.get(key, "").strip():
                fields["cost" if key == "cost" else "capabilities"] = parse_option(
                    key, values[key], today=today
                )
        why = values.get("why", "").strip() or None
        if why is not None and len(why) > grammar.MAX_REASON:
            raise Rejected("reason_too_long", length=len(why), limit=grammar.MAX_REASON)
        command = grammar.Propose(check_name(values.get("name", "")), ToolFields(**fields), why)
    except Rejected as rejected:
        field = PROPOSE_FIELDS.get(rejected.code, "name")
        return Outcome(errors={field: inline(refusal(rejected))})
    reply = run_parsed(engine, context, command)
    if not reply.ok:
        return Outcome(errors={PROPOSE_FIELDS.get(reply.code or "", "name"): inline(reply)})
    return Outcome(reply=reply, channel_id=None)
