"""People who leave Slack: their tools lose them, and the stack admins are told."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from core.people import person_from_slack
from db.admins import stack_admins
from db.engine import session_scope
from db.people import orphan_tools, workspaces_of
from stack.letters import Letter, queue
from templates.render import render


def user_changed(engine: Engine, *, team_id: str, user: Mapping[str, Any], now: datetime) -> int:
    """A `user_change` event: how many tools lost their owner. A profile edit changes nothing.
    The admins' note is queued for the clock's next pass (a request must answer Slack at once)."""
    person = person_from_slack(user)
    if not person.left or not person.id:
        return 0
    orphaned = 0
    for letter, count in user_left(engine, team_id=team_id, user_id=person.id, now=now):
        queue(engine, letter, now=now)
        orphaned += count
    return orphaned


def user_left(
    engine: Engine, *, team_id: str, user_id: str, now: datetime
) -> list[tuple[Letter, int]]:
    """`user_id` left Slack: their tools lose them (in every workspace of `team_id`). Returns
    the stack admins' note for each workspace where tools lost them, with how many did."""
    letters = []
    with session_scope(engine) as session:
        for workspace in workspaces_of(session=session, team_id=team_id):
            assert workspace.id is not None
            tools = orphan_tools(
                session=session, workspace_id=workspace.id, user_id=user_id, now=now
            )
            if not tools:
                continue
            admins = stack_admins(session=session, workspace_id=workspace.id)
            message = render(
                "owner_left", user=user_id, tools=[t.name for t in tools], admins=admins,
                backups={t.name: t.backup_owner_id for t in tools if t.backup_owner_id},
            )  # fmt: skip
            letters.append(
                (
                    Letter(
                        workspace_id=workspace.id,
                        team_id=team_id,
                        key=f"left:{user_id}",
                        kind="note",
                        period=now.date().isoformat(),
                        message=message,
                        target=workspace.review_channel or workspace.digest_channel,
                    ),
                    len(tools),
                )
            )
    return letters
