from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.commands import Reply, run_command
from bot.commands.forms import tool_form, wants_form
from bot.slack import engine_of, stack_context, unescape


def stack_command(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """`/stack …`: the reply is the HTTP response itself; `add` or `edit <tool>` alone opens
    the form instead."""
    engine = engine_of(context)
    text = unescape(str(command.get("text") or ""))
    stack = stack_context(
        context,
        client,
        user_id=str(command.get("user_id") or ""),
        channel_id=command.get("channel_id"),
    )
    form = wants_form(text, today=stack.now.date())
    trigger_id = command.get("trigger_id")
    if form is not None and trigger_id:
        view = tool_form(engine, stack, form.name)
        if isinstance(view, Reply):
            ack(**view.response())
            return
        client.views_open(trigger_id=trigger_id, view=view)
        ack()
        return
    ack(**run_command(engine, stack, text).response())
