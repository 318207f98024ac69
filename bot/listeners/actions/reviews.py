from __future__ import annotations

from bot.listeners.press import Press
from stack.forms.review import claim_tool, review_form


def review_button(press: Press) -> None:
    """Keep, Renegotiate, Replace, Retire, Snooze: a modal takes an optional reason first; a
    review decided already says by whom instead."""
    decision = str(press.action.get("action_id", "")).removeprefix("review_")
    container = press.body.get("container") or {}
    where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
    view = review_form(press.engine, press.stack, press.value, decision, where)
    if isinstance(view, dict) and press.trigger_id:
        press.client.views_open(trigger_id=press.trigger_id, view=view)
    elif not isinstance(view, dict):
        press.tell(view)


def review_own(press: Press) -> None:
    """ "I own this": the person who pressed it becomes the tool's owner, and the reminder says
    so where it was posted."""
    claimed = claim_tool(press.engine, press.stack, press.value)
    container = press.body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if claimed.reminder is not None and channel and ts:
        message = claimed.reminder
        press.client.chat_update(
            channel=channel, ts=ts, text=message["text"], blocks=message["blocks"]
        )
    press.tell(claimed.reply)
