from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext

from bot.slack import engine_of
from jobs.people import user_changed


def user_change(event: dict[str, Any], context: BoltContext) -> None:
    """Someone's account changed: if they were deactivated or erased, their tools lose them.
    Only the store is touched here (the event is answered at once); the admins' note goes out
    with the clock's next pass. https://api.slack.com/events/user_change"""
    user = event.get("user")
    if not isinstance(user, dict):
        return
    team_id = context.team_id or str(user.get("team_id") or "")
    if team_id:
        user_changed(engine_of(context), None, team_id=team_id, user=user, now=datetime.now(UTC))
