"""Slash commands as rows: recorded before the ack by the web process, claimed by a worker with a
conditional UPDATE whose row count is checked (as db/deliveries.py claims posts; on PostgreSQL
the row is picked `FOR UPDATE SKIP LOCKED`, so workers never queue behind each other's picks),
re-claimed when a worker died."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, delete, select

from db.models import ANSWERED, DONE, EXPIRED, QUEUED, RUNNING, SlackCommand

# A command runs in well under a second; a claim this old belonged to a worker that died.
LEASE = timedelta(seconds=30)
# Slack's response_url takes answers for 30 minutes: after that nobody can be told.
# https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
ANSWERABLE = timedelta(minutes=30)
MAX_ATTEMPTS = 3
# The PostgreSQL channel a recorded command is announced on (db.doorbell listens to it).
CHANNEL = "stackbot_command"


@dataclass(frozen=True, slots=True)
class Claim:
    """A command as the worker that claimed it holds it (a plain value: it crosses threads)."""

    id: int
    team_id: str
    user_id: str
    channel_id: str | None
    text: str
    response_url: str
    received_at: datetime
    status: str
    attempts: int
    result: dict[str, Any] | None = None


def _claim(row: SlackCommand) -> Claim:
    assert row.id is not None
    return Claim(
        id=row.id, team_id=row.team_id, user_id=row.user_id, channel_id=row.channel_id,
        text=row.text, response_url=row.response_url, received_at=row.received_at,
        status=row.status, attempts=row.attempts, result=row.result,
    )  # fmt: skip


def record(
    *, session: Session, team_id: str, user_id: str, channel_id: str | None, text: str,
    response_url: str, now: datetime,
) -> Claim:  # fmt: skip
    """The command, queued for a worker; on PostgreSQL the workers listening are told when the
    transaction commits (a NOTIFY is delivered at commit, and not at all on a rollback)."""
    row = SlackCommand(
        team_id=team_id, user_id=user_id, channel_id=channel_id, text=text,
        response_url=response_url, received_at=now, claimed_at=now, status=QUEUED, attempts=0,
    )  # fmt: skip
    session.add(row)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"NOTIFY {CHANNEL}"))
    return _claim(row)


def claim_next(*, session: Session, now: datetime) -> Claim | None:
    """The oldest queued command, claimed for the caller; None when none waits.

    Oldest first by `claimed_at` (a queued row's is its arrival), which the status index
    serves. On PostgreSQL a row another worker is claiming is skipped, not waited for; SQLite
    has no row locks (the clause renders as nothing) and needs none: its write transactions
    take turns (BEGIN IMMEDIATE, db.engine), and the UPDATE's row count is checked anyway.
    """
    row = session.exec(
        select(SlackCommand)
        .where(col(SlackCommand.status) == QUEUED)
        .where(col(SlackCommand.claimed_at) >= now - ANSWERABLE)
        .order_by(col(SlackCommand.claimed_at), col(SlackCommand.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    queued = _claim(row)
    if not _move(session, queued, QUEUED, status=RUNNING, claimed_at=now, attempts=1):
        return None
    return replace(queued, status=RUNNING, attempts=1)


def waiting(*, session: Session) -> bool:
    """Whether any command is queued: the read-only look a polling worker takes (one probe of
    the status index), so that an idle worker never takes SQLite's write lock."""
    statement = select(SlackCommand.id).where(col(SlackCommand.status) == QUEUED).limit(1)
    return session.exec(statement).first() is not None


def finish(*, session: Session, command: Claim, result: dict[str, Any]) -> bool:
    """Mark the claim done with its answer, in the transaction of the command's own writes;
    False when another worker re-claimed it meanwhile (the caller must roll back)."""
    return _move(session, command, RUNNING, status=DONE, result=result)


def answered(*, session: Session, command: Claim) -> bool:
    return _move(session, command, DONE, status=ANSWERED)


def expire(*, session: Session, command: Claim) -> bool:
    return _move(session, command, command.status, status=EXPIRED)


def stale(*, session: Session, now: datetime, limit: int = 100) -> list[Claim]:
    """Claims a dead worker left (not run, or run and not answered), and commands queued for
    longer than anyone can be answered (no worker ran while Slack listened)."""
    statement = (
        select(SlackCommand)
        .where(
            or_(
                and_(
                    col(SlackCommand.status).in_((RUNNING, DONE)),
                    col(SlackCommand.claimed_at) < now - LEASE,
                ),
                and_(
                    col(SlackCommand.status) == QUEUED,
                    col(SlackCommand.claimed_at) < now - ANSWERABLE,
                ),
            )
        )
        .order_by(col(SlackCommand.id))
        .limit(limit)
    )
    return [_claim(row) for row in session.exec(statement).all()]


def reclaim(*, session: Session, command: Claim, now: datetime) -> Claim | None:
    """Take a stale claim over; None when another worker took it first."""
    if not _move(session, command, command.status, claimed_at=now, attempts=command.attempts + 1):
        return None
    return replace(command, attempts=command.attempts + 1)


def forget(*, session: Session, before: datetime) -> int:
    """Drop commands received before `before`: answered, expired or past answering anyway."""
    result = session.exec(delete(SlackCommand).where(col(SlackCommand.received_at) < before))
    return int(result.rowcount)


def _move(session: Session, command: Claim, was: str, **values: Any) -> bool:
    result = session.execute(
        update(SlackCommand)
        .where(
            col(SlackCommand.id) == command.id,
            col(SlackCommand.status) == was,
            col(SlackCommand.attempts) == command.attempts,
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
