from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.commands.forms import home_view
from bot.slack import engine_of, stack_context


def app_home_opened(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """The App Home shows the seven-layer map, fresh each time it is opened."""
    if event.get("tab") not in (None, "home") or not event.get("user"):
        return
    user_id = str(event["user"])
    view = home_view(engine_of(context), stack_context(context, client, user_id=user_id))
    client.views_publish(user_id=user_id, view=view)
