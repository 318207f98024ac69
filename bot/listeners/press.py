"""The opening every button and event listener shares, written once: ack, then the work on a
thread of its own (bot.slack.later), so Slack hears back within milliseconds whatever its API
does, and a form's trigger is used at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.slack import engine_of, later, stack_context
from core.errors import Rejected
from stack import Context, Reply
from stack.base import refusal


@dataclass(frozen=True, slots=True)
class Press:
    """A button press or an event, as the work after the ack sees it."""

    engine: Engine
    stack: Context  # who pressed, in which workspace and channel, and when
    client: WebClient
    body: dict[str, Any]
    respond: Respond | None

    @property
    def action(self) -> dict[str, Any]:
        actions = self.body.get("actions") or [{}]
        return actions[0] if isinstance(actions[0], dict) else {}

    @property
    def value(self) -> str:
        return str(self.action.get("value") or "")

    @property
    def trigger_id(self) -> str | None:
        trigger = self.body.get("trigger_id")
        return trigger if isinstance(trigger, str) and trigger else None

    def tell(self, reply: Reply) -> None:
        """Answer the person who pressed, and only them, below the message they pressed."""
        if self.respond is not None and self.body.get("response_url"):
            self.respond(**reply.response(), replace_original=False)


Work = Callable[[Press], None]


def acked(work: Work) -> Callable[..., None]:
    """A Bolt listener that acks, then runs `work` after the answer."""

    def listener(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient,
        respond: Respond | None = None,
    ) -> None:  # fmt: skip
        ack()
        channel = body.get("channel")
        channel = channel if isinstance(channel, dict) else {}
        user_id = context.user_id or ""
        stack = stack_context(context, client, user_id=user_id, channel_id=channel.get("id"))
        press = Press(engine_of(context), stack, client, body, respond)
        later(_told_on_failure, work, press)

    listener.__name__ = listener.__qualname__ = work.__name__  # Bolt names listeners in its log
    return listener


def _told_on_failure(work: Work, press: Press) -> None:
    try:
        work(press)
    except Exception:
        press.tell(refusal(Rejected("internal")))
        raise
