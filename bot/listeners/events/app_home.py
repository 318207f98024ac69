from __future__ import annotations

from bot.home_picture import publish_home_picture
from bot.listeners.press import Press
from bot.slack import person_context
from stack.forms.home import home_view


def app_home_opened(press: Press) -> None:
    """The App Home shows the seven-layer map, fresh each time it is opened."""
    event = press.body.get("event")
    if not isinstance(event, dict) or event.get("tab") not in (None, "home"):
        return
    user_id = event.get("user")
    if not isinstance(user_id, str) or not user_id:
        return
    stack = person_context(press.client, team_id=press.stack.team_id, user_id=user_id)
    view = home_view(press.engine, stack)
    press.client.views_publish(user_id=user_id, view=view)
    # Drawn after the text is up: the picture takes a second or two (bot/home_picture.py).
    publish_home_picture(press.client, press.engine, stack, user_id, view)
