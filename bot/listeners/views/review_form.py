from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.listeners.payload import answer_form, text_value
from bot.slack import engine_of, stack_context
from stack.forms.review import submit_review_form


def review_form_submitted(
    ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """A review decided from a reminder: the reminder is updated in place to show it."""
    user_id = context.user_id or ""
    stack = stack_context(context, client, user_id=user_id)
    outcome = submit_review_form(
        engine_of(context),
        stack,
        str(view.get("private_metadata") or ""),
        text_value(view, "reason"),
    )
    answer_form(ack, client, outcome, user_id=user_id)
