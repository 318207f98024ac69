"""What /metrics reads from the store at each scrape: the same answer from every web process,
and about the clock too, which runs in a process of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import column, func, table
from sqlmodel import Session, col, select

from db.heartbeat import last_pass
from db.models import DONE, FAILED, QUEUED, RUNNING, Delivery, SlackCommand


@dataclass(frozen=True, slots=True)
class Gauges:
    backlog: int  # slash commands recorded and not yet answered
    oldest_waiting: datetime | None  # when the oldest of them came
    failed_deliveries: int  # posts that failed and are not given up on, or were
    last_pass: datetime | None  # the clock's


def read(*, session: Session) -> Gauges:
    waiting = session.exec(
        select(func.count(), func.min(SlackCommand.received_at)).where(
            col(SlackCommand.status).in_((QUEUED, RUNNING, DONE))
        )
    ).one()
    failed = session.exec(
        select(func.count()).select_from(Delivery).where(col(Delivery.status) == FAILED)
    ).one()
    return Gauges(
        backlog=int(waiting[0]),
        oldest_waiting=waiting[1],
        failed_deliveries=int(failed),
        last_pass=last_pass(session=session),
    )


def installed_workspaces(*, session: Session) -> int:
    """Workspaces with an installation stored by slack_sdk's OAuth store (its own table, named
    here without its model: the store's definitions belong to slack_sdk)."""
    installations = table("slack_installations", column("team_id"))
    found = session.exec(select(func.count(func.distinct(installations.c.team_id)))).one()
    return int(found)
