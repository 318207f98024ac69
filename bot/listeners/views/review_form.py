from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.commands.forms import submit_review_form
from bot.listeners.payload import text_value
from bot.slack import engine_of, stack_context


def review_form_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """A review decided from a reminder: the reminder is updated in place to show it."""
    user_id = str(body.get("user", {}).get("id") or "")
    stack = stack_context(context, client, user_id=user_id)
    outcome = submit_review_form(
        engine_of(context),
        stack,
        str(view.get("private_metadata") or ""),
        text_value(view, "reason"),
    )
    if outcome.errors:
        ack(response_action="errors", errors=outcome.errors)
        return
    ack()
    if outcome.reply is None:
        return
    if outcome.channel_id and outcome.ts:
        message = outcome.reply.message
        client.chat_update(
            channel=outcome.channel_id,
            ts=outcome.ts,
            text=message["text"],
            blocks=message["blocks"],
        )
    else:
        client.chat_postMessage(
            channel=outcome.channel_id or user_id, **_message(outcome.reply.message)
        )


def _message(message: dict[str, Any]) -> dict[str, Any]:
    return {"text": message["text"], "blocks": message["blocks"]}
