"""The digest pass: each workspace's weekly digest, on its day and hour, once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.outbound import Directory
from core.schedule import digest_slot
from db import deliveries
from db.deliveries import SKIPPED
from db.engine import session_scope
from db.models import Workspace
from jobs.deliver import send
from jobs.digest_picture import follow_with_picture
from jobs.reviews import Report
from stack.digest import build_digest
from stack.letters import Letter

# Digests go to different workspaces, so they can go out side by side: against Slack's real
# latency (~100 ms a post) a serial pass over 1,000 workspaces would take minutes.
THREADS = 8


def run_digests(
    engine: Engine,
    directory: Directory,
    now: datetime,
    *,
    team_id: str | None = None,
    dry_run: Report | None = None,
    pictures: bool = False,
) -> int:
    """Send the digests due at `now`. A clock that was down sends one catch-up digest, for the
    latest week whose digest time has come, never one per missed week. With `pictures`, the
    map follows each digest as a PNG in its thread (the clock and `run-job` draw them; a
    picture costs about half a second of CPU, so tests and benchmarks leave it out)."""
    with session_scope(engine, write=False) as session:
        statement = select(Workspace).order_by(col(Workspace.id))
        if team_id is not None:
            statement = statement.where(Workspace.team_id == team_id)
        workspaces = list(session.exec(statement).all())
    if dry_run is not None:  # in order, for a person reading them
        return sum(_digest(engine, directory, w, now, dry_run) for w in workspaces)
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="digest") as pool:
        return sum(
            pool.map(lambda w: _digest(engine, directory, w, now, None, pictures), workspaces)
        )


def _digest(
    engine: Engine,
    directory: Directory,
    workspace: Workspace,
    now: datetime,
    dry_run: Report | None,
    pictures: bool = False,
) -> int:
    assert workspace.id is not None
    slot = digest_slot(
        weekday_index=workspace.digest_weekday,
        hour=workspace.digest_hour,
        zone=workspace.timezone,
        now=now,
    )
    key = f"digest:{slot.period}"
    if slot.at < workspace.created_at:
        return 0  # no digest for a week that ended before the workspace began
    with session_scope(engine, write=False) as session:
        if deliveries.exists(session=session, workspace_id=workspace.id, key=key):
            return 0
        previous = deliveries.last_digest(session=session, workspace_id=workspace.id)
        digest = build_digest(
            session, workspace, now=now, period=slot.period,
            previous=previous,
        )  # fmt: skip
    if digest.empty and workspace.skip_empty_digest and dry_run is None:
        with session_scope(engine) as session:
            deliveries.claim(
                session=session, workspace_id=workspace.id, key=key, kind="digest",
                period=slot.period, now=now, status=SKIPPED,
            )  # fmt: skip
        return 0
    letter = Letter(
        workspace_id=workspace.id,
        team_id=workspace.team_id,
        key=key,
        kind="digest",
        period=slot.period,
        message=digest.message,
        target=workspace.digest_channel,
        extra={"findings": digest.finding_ids},
    )
    if dry_run is not None:
        dry_run(letter)
        return 1
    sent = send(engine, directory, letter, now=now)
    if sent and pictures:
        follow_with_picture(engine, directory, workspace, key=key, now=now)
    return int(sent)
