from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.listeners.payload import answer_form, list_value, text_value
from bot.slack import engine_of, stack_context
from stack.forms.tool import ToolForm, submit_tool_form


def tool_form_submitted(
    ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """The add/edit form: refusals go back onto the form's fields; success closes it and tells
    the channel the command came from."""
    user_id = context.user_id or ""
    form = ToolForm(
        name=text_value(view, "name"),
        layers=list_value(view, "layers"),
        capabilities=list_value(view, "caps"),
        vendor=text_value(view, "vendor"),
        sourcing=text_value(view, "sourcing"),
        cost=text_value(view, "cost"),
        currency=text_value(view, "currency") or "USD",
        owner=text_value(view, "owner"),
        backup=text_value(view, "backup"),
        renews=text_value(view, "renews"),
        notice=text_value(view, "notice"),
        notes=text_value(view, "notes"),
    )
    named = [person for person in (form.owner, form.backup) if person]
    stack = stack_context(context, client, user_id=user_id, named=named)
    outcome = submit_tool_form(
        engine_of(context), stack, form, str(view.get("private_metadata") or "")
    )
    answer_form(ack, client, outcome, user_id=user_id)
