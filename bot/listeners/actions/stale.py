from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.commands.base import refusal
from core.errors import Rejected


def stale_action(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """A button stackbot no longer knows: say so, rather than leave a warning sign on it."""
    ack()
    if body.get("response_url"):
        respond(**refusal(Rejected("stale_button")).response(), replace_original=False)
