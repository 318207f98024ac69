"""Who a Slack account is, as far as owning a tool goes: people who left, and accounts that
cannot own one.

Slack sends no "deactivated" event: `user_change` carries `deleted: true`, and a GDPR-erased
account carries `is_forgotten` (https://api.slack.com/events/user_change). The same event fires
for every profile edit, which changes nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SLACKBOT = "USLACKBOT"
# Who `stackbot cmd` and `stackbot import` act as without `--user`: nobody in Slack, so it is
# never shown as a mention (templates/render.py).
TERMINAL_USER = "U0LOCAL"


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    team_id: str | None = None
    deleted: bool = False
    forgotten: bool = False
    bot: bool = False
    # Single- and multi-channel guests (`is_restricted`, `is_ultra_restricted`): outsiders who
    # see a channel or two, not people the company can hold to a vendor review.
    guest: bool = False

    @property
    def left(self) -> bool:
        return self.deleted or self.forgotten


def person_from_slack(user: Mapping[str, Any]) -> Person:
    """A `user` object as users.info, users.list and user_change give it."""
    user_id = str(user.get("id") or "")
    return Person(
        id=user_id,
        team_id=str(user["team_id"]) if user.get("team_id") else None,
        deleted=bool(user.get("deleted")),
        forgotten=bool(user.get("is_forgotten")),
        bot=bool(user.get("is_bot")) or user_id == SLACKBOT or bool(user.get("is_app_user")),
        guest=bool(user.get("is_restricted")) or bool(user.get("is_ultra_restricted")),
    )


def cannot_own(person: Person | None) -> str | None:
    """Why `person` cannot own (or back up) a tool, as a refusal code; None when they can.

    An account Slack did not describe (the terminal, Slack unreachable) is taken at its word:
    refusing every owner whenever users.info is slow would make the option useless.
    """
    if person is None:
        return None
    if person.left:
        return "owner_left_slack"
    if person.bot:
        return "owner_is_bot"
    if person.guest:
        return "owner_is_guest"
    return None
