from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.commands import Reply
from bot.commands.forms import accept_form, overlaps_view, reopen_finding
from bot.slack import engine_of, stack_context


def finding_accept(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
    respond: Respond,
) -> None:  # fmt: skip
    """The Accept… button: a modal asks why, since an accepted finding needs a reason."""
    ack()
    channel = (body.get("channel") or {}).get("id")
    stack = stack_context(context, client, user_id=context.user_id or "", channel_id=channel)
    view = accept_form(engine_of(context), stack, str(action.get("value") or ""))
    if isinstance(view, Reply):
        if body.get("response_url"):
            respond(**view.response(), replace_original=False)
        return
    if body.get("view"):  # pressed inside the overlaps modal: stack the form on top of it
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def finding_reopen(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient,
    respond: Respond,
) -> None:  # fmt: skip
    ack()
    stack = stack_context(context, client, user_id=context.user_id or "")
    reply = reopen_finding(engine_of(context), stack, str(action.get("value") or ""))
    if body.get("response_url"):
        respond(**reply.response(), replace_original=False)
    elif body.get("view"):
        view = body["view"]
        client.views_update(
            view_id=view["id"], hash=view.get("hash"), view=overlaps_view(engine_of(context), stack)
        )
