from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.commands import Reply
from bot.commands.forms import overlaps_view, tool_form
from bot.slack import engine_of, stack_context


def home_add_tool(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    view = tool_form(engine_of(context), stack, None)
    if not isinstance(view, Reply) and body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=view)


def home_overlaps(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    if body.get("trigger_id"):
        client.views_open(
            trigger_id=body["trigger_id"], view=overlaps_view(engine_of(context), stack)
        )
