from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.listeners.transfer import transfer_command
from bot.slack import asked, engine_of, later, team_of, unescape
from core.errors import Rejected
from db import commands
from db.engine import session_scope
from stack import Context, Reply
from stack.base import refusal
from stack.files import parse_transfer
from stack.forms.tool import FormRequest, tool_form, wants_form


def stack_command(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """`/stack …`: recorded in the store and acked, nothing more; a worker (bot.worker) runs it
    and replies through the command's response_url, to the channel or to the person alone, so
    no command ever keeps this process from acking the next request in time.
    `add` or `edit <tool>` alone opens the form instead, at once (a trigger lasts 3 s).
    https://docs.slack.dev/interactivity/implementing-slash-commands"""
    engine = engine_of(context)
    text = unescape(str(command.get("text") or ""))
    user_id = str(command.get("user_id") or "")
    # Who asks, and nothing Slack must be asked about: the ack waits for no users.info.
    who = Context(
        team_id=team_of(context), user_id=user_id, channel_id=command.get("channel_id"),
        now=datetime.now(UTC),
    )  # fmt: skip
    form = wants_form(text, today=who.now.date())
    trigger_id = command.get("trigger_id")
    if form is not None and isinstance(trigger_id, str) and trigger_id:
        ack()
        later(open_form, engine, who, client, form, trigger_id, respond)
        return
    if _is_transfer(text):  # export sends a file, import opens a form: neither is a row
        ack()
        later(transfer_command, engine, who, text, command, client, respond)
        return
    response_url = command.get("response_url")
    if not isinstance(response_url, str) or not response_url:
        ack(**refusal(Rejected("internal")).response())  # not from Slack: it always sends one
        return
    with session_scope(engine) as session:
        commands.record(
            session=session, team_id=who.team_id, user_id=user_id,
            channel_id=who.channel_id, text=text, response_url=response_url, now=who.now,
        )  # fmt: skip
    ack()


def open_form(
    engine: Engine, who: Context, client: WebClient, form: FormRequest, trigger_id: str,
    respond: Respond,
) -> None:  # fmt: skip
    view = tool_form(engine, asked(client, who), form.name)
    if isinstance(view, Reply):
        respond(**view.response())
        return
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        # A trigger lasts 3 s; a machine busy enough may start the form later than that.
        if error.response.get("error") != "expired_trigger_id":
            raise
        late = Rejected("form_expired", command="add" if form.name is None else "edit")
        respond(**refusal(late).response())


def _is_transfer(text: str) -> bool:
    try:
        return parse_transfer(text) is not None
    except Rejected:  # a malformed `export …`: transfer_command words the refusal
        return True
