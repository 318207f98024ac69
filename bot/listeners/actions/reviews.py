from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.commands.forms import claim_tool, review_form
from bot.slack import engine_of, stack_context


def review_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
    respond: Respond,
) -> None:  # fmt: skip
    """Keep, Renegotiate, Replace, Retire, Snooze: a modal takes an optional reason first."""
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    decision = str(action.get("action_id", "")).removeprefix("review_")
    container = body.get("container") or {}
    where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
    view = review_form(engine_of(context), stack, str(action.get("value") or ""), decision, where)
    if isinstance(view, dict):
        client.views_open(trigger_id=body["trigger_id"], view=view)
    elif body.get("response_url"):
        respond(**view.response(), replace_original=False)


def review_own(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
    respond: Respond,
) -> None:  # fmt: skip
    """ "I own this": the person who pressed it becomes the tool's owner."""
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    try:
        tool_id = int(json.loads(str(action.get("value") or "{}")).get("tool"))
    except (ValueError, TypeError, AttributeError):
        tool_id = -1
    reply = claim_tool(engine_of(context), stack, tool_id)
    if body.get("response_url"):
        respond(**reply.response(), replace_original=False)
