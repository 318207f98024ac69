"""Form state from a view submission as plain values, and the answer to a submitted form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.outbound import post_reply
from bot.slack import later
from stack.forms import Outcome


def state_value(view: dict[str, Any], block_id: str) -> str | list[str]:
    """The value of the one element in input block `block_id`, whatever its kind; "" if unset.
    https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload"""
    values = view.get("state", {}).get("values", {}).get(block_id, {})
    if not isinstance(values, dict) or not values:
        return ""
    element = next(iter(values.values()))
    if not isinstance(element, dict):
        return ""
    if "selected_options" in element:
        return [str(o.get("value", "")) for o in element.get("selected_options") or []]
    for key in ("selected_option",):
        option = element.get(key)
        if isinstance(option, dict):
            return str(option.get("value", ""))
    for key in ("selected_user", "selected_date", "selected_channel", "value"):
        if element.get(key) is not None:
            return str(element[key])
    return ""


def text_value(view: dict[str, Any], block_id: str) -> str:
    value = state_value(view, block_id)
    return value if isinstance(value, str) else ",".join(value)


def list_value(view: dict[str, Any], block_id: str) -> tuple[str, ...]:
    value = state_value(view, block_id)
    return tuple(value) if isinstance(value, list) else ((value,) if value else ())


def answer_form(ack: Ack, client: WebClient, outcome: Outcome, *, user_id: str) -> None:
    """Refusals go back onto the form's fields; success closes it, and after that answer the
    message the form came from is updated, or its channel (or, failing that, the person) told."""
    if outcome.errors:
        ack(response_action="errors", errors=outcome.errors)
        return
    ack()
    if outcome.reply is not None:
        later(_tell, client, outcome, user_id)


def _tell(client: WebClient, outcome: Outcome, user_id: str) -> None:
    assert outcome.reply is not None
    if outcome.channel_id and outcome.ts:
        message = outcome.reply.message
        client.chat_update(
            channel=outcome.channel_id,
            ts=outcome.ts,
            text=message["text"],
            blocks=message["blocks"],
        )
    else:
        post_reply(client, outcome.reply, channel_id=outcome.channel_id, user_id=user_id)
