"""What the clock posts: a letter, claimed by its key before it is posted (jobs.deliver posts it).
A letter that arrives on a request is queued here for the clock's next pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from db import deliveries
from db.engine import session_scope


@dataclass(frozen=True, slots=True)
class Letter:
    """What to send, where, and who to turn to when the channel cannot be reached."""

    workspace_id: int
    team_id: str
    key: str
    kind: str
    period: str
    message: dict[str, Any]
    target: str | None  # a channel; None when the workspace set none
    person: str | None = None  # the owner to mention, DM on request, and fall back to
    dm_person: bool = False
    tool_id: int | None = None
    extra: dict[str, Any] | None = None


def queue(engine: Engine, letter: Letter, *, now: datetime) -> bool:
    """Claim `letter` for the clock's next pass to post (see `retry`): for work that arrives on
    a request, which must answer Slack at once. False when it was claimed already."""
    with session_scope(engine) as session:
        row = deliveries.claim(
            session=session, workspace_id=letter.workspace_id, key=letter.key, kind=letter.kind,
            period=letter.period, tool_id=letter.tool_id, now=now, data=letter_data(letter),
            status=deliveries.QUEUED,
        )  # fmt: skip
    return row is not None


def letter_data(letter: Letter) -> dict[str, Any]:
    return {
        "message": letter.message, "target": letter.target, "person": letter.person,
        "dm_person": letter.dm_person, **(letter.extra or {}),
    }  # fmt: skip
