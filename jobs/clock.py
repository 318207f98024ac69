"""`stackbot clock`: the one scheduler process. Every few minutes it runs one pass: reminders,
digests, then retries. What is due, and what was sent already, is decided from the store's rows,
not from the trigger, so a pass that runs twice (or late, or on two clocks) sends nothing twice.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot import recorded
from bot.outbound import Directory
from db import commands
from db.admins import REPLAY_WINDOW, forget_events, forget_signatures
from db.engine import session_scope
from db.heartbeat import beat
from jobs.costs import pull_costs_daily
from jobs.deliver import retry
from jobs.digest import run_digests
from jobs.people import sweep_users
from jobs.proposals import expire_proposals
from jobs.reviews import run_reviews

logger = logging.getLogger(__name__)
EVERY_MINUTES = 5
# Slash commands a dead web worker left are finished within a minute: their claim goes stale
# after db.commands.LEASE, and this sweep runs twice a minute.
COMMAND_SWEEP_SECONDS = 30
# A recorded command is kept a day after it came, for whoever looks into what happened.
COMMAND_MEMORY = timedelta(days=1)


# Slack retries an event for minutes at most; a day of event ids is plenty to spot retries.
EVENT_MEMORY = timedelta(days=1)


def run_pass(engine: Engine, directory: Directory, now: datetime) -> int:
    """One pass at `now`: how many messages it sent."""
    sent = run_reviews(engine, directory, now)
    sent += run_digests(engine, directory, now, pictures=True)
    sent += expire_proposals(engine, directory, now)
    sweep_users(engine, directory, now)  # once a day per workspace, claimed like a delivery
    sent += retry(engine, directory, now=now)
    with session_scope(engine) as session:
        forget_events(session=session, before=now - EVENT_MEMORY)
        forget_signatures(session=session, before=now - REPLAY_WINDOW)
        commands.forget(session=session, before=now - COMMAND_MEMORY)
    return sent


def sweep_commands(engine: Engine, directory: Directory, now: datetime) -> int:
    """Finish the slash commands dead web workers left (bot.recorded); how many."""

    def client(team_id: str) -> WebClient | None:
        poster = directory.poster(team_id)
        return poster.client if poster else None

    return recorded.sweep(engine, client, now)


def run_clock(
    engine: Engine,
    directory: Directory,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    minutes: int = EVERY_MINUTES,
) -> None:
    """Run passes until SIGTERM or SIGINT, then finish the pass under way and stop."""
    # APScheduler logs two INFO lines per run of every job (about 5,800 a day); its warnings
    # (a missed or overlapping run) still come through.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = BlockingScheduler(timezone=UTC)

    def tick() -> None:
        now = clock()  # the clock process reads the time here and passes it down
        sent = run_pass(engine, directory, now)
        with session_scope(engine) as session:  # a pass that raised leaves the old beat
            beat(session=session, now=clock(), sent=sent)
        logger.info("pass at %s sent %d", now.isoformat(), sent)

    scheduler.add_job(
        lambda: sweep_commands(engine, directory, clock()),
        IntervalTrigger(seconds=COMMAND_SWEEP_SECONDS, timezone=UTC),
        id="commands",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    # Provider cost APIs (OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY): tried hourly, pulled once a day.
    scheduler.add_job(
        lambda: pull_costs_daily(engine, clock()),
        IntervalTrigger(hours=1, timezone=UTC),
        id="costs",
        next_run_time=clock(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        tick,
        IntervalTrigger(minutes=minutes, timezone=UTC),
        id="pass",
        next_run_time=clock(),  # a pass right away, then every few minutes
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        logger.info("signal %d: stopping after the pass under way", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
