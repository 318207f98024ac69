from __future__ import annotations

from bot.listeners.press import Press
from stack.people import user_changed


def user_change(press: Press) -> None:
    """Someone's account changed: if they were deactivated or erased, their tools lose them.
    The admins' note is queued for the clock's next pass, which paces and retries it like every
    delivery. https://api.slack.com/events/user_change"""
    event = press.body.get("event")
    user = event.get("user") if isinstance(event, dict) else None
    if not isinstance(user, dict):
        return
    team_id = press.stack.team_id or str(user.get("team_id") or "")
    if team_id:
        user_changed(press.engine, team_id=team_id, user=user, now=press.stack.now)
