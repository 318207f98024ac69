"""What every /stack handler takes and gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.errors import Rejected
from db.models import Workspace
from templates.render import Message, render


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, from where, and when."""

    team_id: str
    user_id: str
    now: datetime
    channel_id: str | None = None
    admin: bool = True

    def today(self, workspace: Workspace) -> date:
        """The date in the workspace's own time zone."""
        return self.now.astimezone(ZoneInfo(workspace.timezone)).date()


@dataclass(frozen=True, slots=True)
class Reply:
    message: Message
    ok: bool = True
    public: bool = False  # shown to the channel, not only to the person who asked


def refusal(rejected: Rejected) -> Reply:
    return Reply(render("error", code=rejected.code, **rejected.details), ok=False)
