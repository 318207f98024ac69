from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.commands.forms import home_view
from bot.home_picture import forget, home_image, publish_with_image
from bot.slack import engine_of, stack_context


def app_home_picture(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """After the text Home is up, the map as a picture above it. A lazy listener: drawing and
    uploading take longer than Slack waits for an event's answer."""
    if event.get("tab") not in (None, "home") or not event.get("user"):
        return
    user_id = str(event["user"])
    engine = engine_of(context)
    stack = stack_context(context, client, user_id=user_id)
    block = home_image(client, engine, stack)
    if block is not None and not publish_with_image(
        client, user_id, home_view(engine, stack), block
    ):
        forget(stack.team_id)  # gone or refused: the next Home opened uploads it again
