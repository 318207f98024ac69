"""Is the clock running? Read from the heartbeat its passes leave in the store, so that the
answer is the same whichever process or container asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.engine import session_scope
from db.heartbeat import last_pass

# The clock passes every 5 minutes (jobs.clock); a pass with many digests to draw may take a
# few. Three missed passes is a clock that hangs or is gone.
STALE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    reason: str  # one line, for a terminal or a container's health log


def clock_health(engine: Engine, now: datetime) -> Health:
    try:
        with session_scope(engine, write=False) as session:
            passed_at = last_pass(session=session)
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        return Health(False, f"the database could not be read: {cause}")
    if passed_at is None:
        return Health(False, "the clock has not finished a pass yet")
    age = now - passed_at
    said = f"the clock's last pass was {_ago(age)} ago"
    if age > STALE_AFTER:
        return Health(False, f"{said}, more than {_ago(STALE_AFTER)}")
    return Health(True, said)


def _ago(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
