"""The clock's heartbeat: one row, written at the end of every pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from db.models import ClockHeartbeat

CLOCK = "clock"


def beat(*, session: Session, now: datetime, sent: int, name: str = CLOCK) -> None:
    """Record a pass that finished at `now`. An UPDATE first: every pass after the first one
    writes the same row, and two clocks (which should not run, but may for a moment during a
    deploy) both succeed."""
    result = session.execute(
        update(ClockHeartbeat)
        .where(ClockHeartbeat.name == name)  # type: ignore[arg-type]
        .values(passed_at=now, sent=sent)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.add(ClockHeartbeat(name=name, passed_at=now, sent=sent))


def last_pass(*, session: Session, name: str = CLOCK) -> datetime | None:
    return session.exec(select(ClockHeartbeat.passed_at).where(ClockHeartbeat.name == name)).first()
