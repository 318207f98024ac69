"""`stackbot worker`: claims the slash commands the web process recorded, runs them and answers
them through their response_url (bot.recorded). The store is the queue: any number of workers,
on any host that reaches it, share it, each running one command at a time; more throughput is
more workers. A worker that dies leaves a claim the others' sweep takes over once it is stale.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot import recorded
from bot.outbound import Directory
from bot.recorded import Clients
from db import commands
from db.admins import REPLAY_WINDOW, forget_signatures
from db.doorbell import Doorbell, doorbell
from db.engine import session_scope

logger = logging.getLogger(__name__)
# How often a worker looks for commands a dead worker left (their claim goes stale after
# db.commands.LEASE), forgets old request signatures, and looks at the queue whatever it heard.
SWEEP_SECONDS = 10.0


def clients_of(slack: Directory) -> Clients:
    """Each workspace's client, as the directory posts: None where stackbot is not installed."""

    def client(team_id: str) -> WebClient | None:
        poster = slack.poster(team_id)
        return poster.client if poster else None

    return client


def work_once(engine: Engine, clients: Clients, now: datetime) -> int:
    """Claim the oldest queued command and answer it: how many were claimed (0 or 1)."""
    with session_scope(engine) as session:
        claim = commands.claim_next(session=session, now=now)
    if claim is None:
        return 0
    client = clients(claim.team_id)
    if client is None:  # uninstalled between the ack and now
        recorded.give_up(engine, claim, answerable=True)
        return 1
    recorded.run(engine, client, claim)
    return 1


def sweep(engine: Engine, clients: Clients, now: datetime) -> int:
    """Take over what dead workers left; forget signatures too old to replay (as the clock
    does, for installs that run none)."""
    taken = recorded.sweep(engine, clients, now)
    with session_scope(engine) as session:
        forget_signatures(session=session, before=now - REPLAY_WINDOW)
    return taken


class Worker:
    """The loop: claim while commands wait, else wait for the doorbell; sweep every
    SWEEP_SECONDS. `stop` (SIGTERM) lets the command in hand finish, then ends the loop."""

    def __init__(
        self,
        engine: Engine,
        clients: Clients,
        *,
        bell: Doorbell | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.clients = clients
        self.bell = bell or doorbell(engine)
        self.stop = threading.Event()
        self._clock = clock
        self._monotonic = monotonic

    def run(self) -> int:
        """Work until stopped; how many commands it claimed."""
        claimed = 0
        look = True  # commands may have queued while no worker ran
        next_sweep = self._monotonic()
        try:
            while not self.stop.is_set():
                if self._monotonic() >= next_sweep:
                    self._guarded(sweep)
                    next_sweep = self._monotonic() + SWEEP_SECONDS
                    look = True
                if look:
                    done = self._guarded(work_once)
                    claimed += done
                    if done:
                        continue  # another may be waiting: look again before waiting
                look = self.bell.wait(self.stop)
        finally:
            self.bell.close()
        return claimed

    def _guarded(self, step: Callable[[Engine, Clients, datetime], int]) -> int:
        """One step; a failure is logged and the loop goes on (a command it was running stays
        claimed, and a sweep finishes it once the claim is stale)."""
        now = self._clock()  # the worker reads the clock here and passes it down
        try:
            return step(self.engine, self.clients, now)
        except Exception:
            logger.exception("worker: %s failed", step.__name__)
            self.stop.wait(1.0)  # a store that is down is not hammered
            return 0


def run_worker(engine: Engine, slack: Directory) -> int:
    """`stackbot worker`, until SIGTERM or SIGINT: the command in hand is finished first."""
    worker = Worker(engine, clients_of(slack))

    def stop(signum: int, frame: FrameType | None) -> None:
        logger.info("signal %d: stopping after the command in hand", signum)
        worker.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("worker: waiting for commands (%s)", type(worker.bell).__name__)
    claimed = worker.run()
    logger.info("worker: stopped, %d claimed", claimed)
    return claimed
