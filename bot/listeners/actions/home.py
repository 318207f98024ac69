from __future__ import annotations

from bot.listeners.press import Press
from stack import Reply
from stack.forms.finding import overlaps_view
from stack.forms.tool import tool_form


def home_add_tool(press: Press) -> None:
    view = tool_form(press.engine, press.stack, None)
    if not isinstance(view, Reply) and press.trigger_id:
        press.client.views_open(trigger_id=press.trigger_id, view=view)


def home_overlaps(press: Press) -> None:
    if press.trigger_id:
        view = overlaps_view(press.engine, press.stack)
        press.client.views_open(trigger_id=press.trigger_id, view=view)
