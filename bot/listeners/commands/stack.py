from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands import Reply, run_command
from bot.commands.base import refusal
from bot.commands.forms import tool_form, wants_form
from bot.outbound import send_posts
from bot.slack import engine_of, stack_context, unescape
from core.errors import Rejected

logger = logging.getLogger(__name__)


def stack_ack(ack: Ack) -> None:
    """Slack hears back at once; the work follows in `stack_command`, so a slow store never
    makes Slack show "operation timed out" for work that went on to succeed.
    https://docs.slack.dev/tools/bolt-python/concepts/lazy-listeners"""
    ack()


def stack_command(
    command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """`/stack …`: the reply goes back through the command's response_url, to the channel or to
    the person alone; `add` or `edit <tool>` alone opens the form instead."""
    try:
        _stack_command(command, context, client, respond)
    except Exception:
        # A lazy listener runs after Slack got its ack, beyond the reach of the app's error
        # handler: without this the person would wait for a reply that never comes.
        logger.exception("/stack failed")
        respond(**refusal(Rejected("internal")).response())
        raise


def _stack_command(
    command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    engine = engine_of(context)
    text = unescape(str(command.get("text") or ""))
    stack = stack_context(
        context, client, user_id=str(command.get("user_id") or ""),
        channel_id=command.get("channel_id"),
    )  # fmt: skip
    form = wants_form(text, today=stack.now.date())
    trigger_id = command.get("trigger_id")
    if form is not None and trigger_id:
        view = tool_form(engine, stack, form.name)
        if isinstance(view, Reply):
            respond(**view.response())
            return
        try:
            client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            # A trigger lasts 3 s; under load the work may start later than that.
            if error.response.get("error") != "expired_trigger_id":
                raise
            late = Rejected("form_expired", command="add" if form.name is None else "edit")
            respond(**refusal(late).response())
        return
    reply = run_command(engine, stack, text)
    respond(**reply.response())
    send_posts(client, reply)
