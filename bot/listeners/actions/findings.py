from __future__ import annotations

from bot.listeners.press import Press
from stack import Reply
from stack.forms.finding import accept_form, overlaps_view, reopen_finding


def finding_accept(press: Press) -> None:
    """The Accept… button: a modal asks why, since an accepted finding needs a reason."""
    view = accept_form(press.engine, press.stack, press.value)
    if isinstance(view, Reply):
        press.tell(view)
    elif press.trigger_id is None:
        return
    elif isinstance(press.body.get("view"), dict):  # pressed inside the overlaps modal
        press.client.views_push(trigger_id=press.trigger_id, view=view)
    else:
        press.client.views_open(trigger_id=press.trigger_id, view=view)


def finding_reopen(press: Press) -> None:
    reply = reopen_finding(press.engine, press.stack, press.value)
    shown = press.body.get("view")
    if press.body.get("response_url"):
        press.tell(reply)
    elif isinstance(shown, dict) and shown.get("id"):
        view = overlaps_view(press.engine, press.stack)
        press.client.views_update(view_id=shown["id"], hash=shown.get("hash"), view=view)
