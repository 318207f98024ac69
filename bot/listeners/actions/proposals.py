from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.commands.base import refusal
from bot.commands.proposal_forms import decline_form, proposal_of, propose_form
from bot.commands.proposals import run_decision
from bot.outbound import send_posts
from bot.slack import engine_of, stack_context
from core.errors import Rejected


def proposal_approve(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
    respond: Respond,
) -> None:  # fmt: skip
    """Approve on a proposal's post: the post then says who approved it, the proposer hears."""
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    number = proposal_of(str(action.get("value") or ""))
    if number is None:
        reply = refusal(Rejected("stale_button"))
    else:
        reply = run_decision(engine_of(context), stack, number, approve=True, reason=None)
    if body.get("response_url"):
        # Decided: the post is replaced for everyone; refused: only the presser is told.
        respond(**reply.response(), replace_original=reply.ok)
    send_posts(client, reply)


def proposal_decline(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
    respond: Respond,
) -> None:  # fmt: skip
    """Decline: a form asks why first (the proposer is told), if this person may decide it."""
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    number = proposal_of(str(action.get("value") or ""))
    container = body.get("container") or {}
    where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
    view = (
        refusal(Rejected("stale_button"))
        if number is None
        else decline_form(engine_of(context), stack, number, where)
    )
    if isinstance(view, dict):
        client.views_open(trigger_id=body["trigger_id"], view=view)
    elif body.get("response_url"):
        respond(**view.response(), replace_original=False)


def home_propose(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    if body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=propose_form())
