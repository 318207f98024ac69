"""The reminder pass: for every tool whose review stage has come, one reminder, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.commands.reviews import reminder_message
from bot.outbound import Directory
from core.schedule import local_date, review_stage
from db import deliveries
from db.engine import session_scope
from jobs.deliver import Letter, send

# Leads are at most a year: a tool due later than this has no stage yet.
HORIZON = timedelta(days=366)

Report = Callable[[Letter], None]


def run_reviews(
    engine: Engine,
    directory: Directory,
    now: datetime,
    *,
    team_id: str | None = None,
    dry_run: Report | None = None,
) -> int:
    """Send the reminders due at `now`; returns how many were sent (or, with `dry_run`, would
    be: each is handed to it instead of posted, and nothing is claimed)."""
    with session_scope(engine) as session:
        due = deliveries.due_tools(session=session, before=(now + HORIZON).date(), team_id=team_id)
        letters = []
        for workspace, tool in due:
            assert workspace.id is not None
            assert tool.next_review_on is not None
            stage = review_stage(
                due=tool.next_review_on,
                leads=workspace.review_leads,
                hour=workspace.reminder_hour,
                zone=workspace.timezone,
                now=now,
                cycle_start=tool.review_cycle_start or tool.added_at,
            )
            if stage is None:
                continue
            key = f"review:{tool.id}:{tool.next_review_on.isoformat()}:{stage.label}"
            if deliveries.exists(session=session, workspace_id=workspace.id, key=key):
                continue
            message = reminder_message(
                tool, due=tool.next_review_on, today=local_date(now, workspace.timezone)
            )
            letters.append(
                Letter(
                    workspace_id=workspace.id,
                    team_id=workspace.team_id,
                    key=key,
                    kind="reminder",
                    period=f"{tool.next_review_on.isoformat()}:{stage.label}",
                    message=message,
                    target=tool.channel_id or workspace.review_channel or workspace.digest_channel,
                    person=tool.owner_id,
                    dm_person=workspace.dm_owners,
                    tool_id=tool.id,
                )
            )
    if dry_run is not None:
        for letter in letters:
            dry_run(letter)
        return len(letters)
    return sum(send(engine, directory, letter, now=now) for letter in letters)
