from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.listeners.payload import answer_form, text_value
from bot.outbound import send_posts
from bot.slack import engine_of, later, stack_context
from stack.forms.proposal import submit_decline_form, submit_propose_form


def decline_form_submitted(
    ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """A proposal declined with a reason: its post is updated in place, the proposer told."""
    user_id = context.user_id or ""
    stack = stack_context(context, client, user_id=user_id)
    metadata = str(view.get("private_metadata") or "")
    outcome = submit_decline_form(engine_of(context), stack, metadata, text_value(view, "reason"))
    answer_form(ack, client, outcome, user_id=user_id)
    if outcome.reply is not None:
        later(send_posts, client, outcome.reply)  # after Slack's answer, as answer_form does


def propose_form_submitted(
    ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """The App Home's proposal: the answer to the person, the review post to the channel."""
    user_id = context.user_id or ""
    stack = stack_context(context, client, user_id=user_id)
    values = {key: text_value(view, key) for key in ("name", "cost", "caps", "why")}
    outcome = submit_propose_form(engine_of(context), stack, values)
    answer_form(ack, client, outcome, user_id=user_id)
    if outcome.reply is not None:
        later(send_posts, client, outcome.reply)  # after Slack's answer, as answer_form does
