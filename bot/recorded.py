"""Slash commands as rows, so that one acked is done (../shared/STYLE.md, point 14).

The request inserts the command's row before the ack and starts a thread that runs it; the row
is the claim. The command's writes and marking the row done commit together; then its answer
goes to the command's response_url and the row is marked answered. A worker killed on the way
leaves a claim that grows stale: `sweep` (every web worker, and the clock) takes it over with a
conditional UPDATE and finishes it, or only answers it if its writes had committed.

The window left: a worker killed after Slack took the answer and before the row said so sends
that answer again (the writes are never made twice).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.outbound import request_retry_handlers, send_posts
from bot.pictures import send_picture
from bot.slack import person_context
from core.errors import Rejected
from db import commands
from db.admins import REPLAY_WINDOW, forget_signatures
from db.commands import ANSWERABLE, MAX_ATTEMPTS, Claim
from db.engine import session_scope
from db.models import DONE
from stack import Reply, run_command
from stack.base import refusal
from stack.run import people_named

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 10.0
# Commands doing their work at once in one web worker; the others wait their turn. More would
# only share one interpreter lock, and slow the acks Slack is waiting for (bench/README.md).
RUNNING_AT_ONCE = 1
_turns = threading.BoundedSemaphore(RUNNING_AT_ONCE)
Clients = Callable[[str], WebClient | None]  # a workspace's client, None if not installed


class Superseded(Exception):
    """Another worker re-claimed the command: this one's work is rolled back."""


def start(engine: Engine, client: WebClient, claim: Claim) -> None:
    threading.Thread(target=run, args=(engine, client, claim), name=f"command-{claim.id}").start()


def run(engine: Engine, client: WebClient, claim: Claim) -> None:
    """Do the command (unless its writes committed already) and answer it."""
    if claim.status == DONE and claim.result is not None:
        _answer(engine, claim, claim.result)
        return
    now = datetime.now(UTC)  # a command runs at the time it runs, read here at the edge
    context = person_context(
        client, team_id=claim.team_id, user_id=claim.user_id, channel_id=claim.channel_id,
        named=people_named(claim.text, today=now.date()), now=now,
    )  # fmt: skip

    def finish(session: Session, reply: Reply) -> None:
        if not commands.finish(session=session, command=claim, result=reply.response()):
            raise Superseded

    try:
        with _turns:  # the answer below waits on Slack, not for a turn
            reply = run_command(engine, context, claim.text, finish=finish)
    except Superseded:
        return
    except Exception:
        logger.exception("/stack failed (command %s)", claim.id)  # its writes rolled back
        reply = refusal(Rejected("internal"))
        try:
            with session_scope(engine) as session:
                finish(session, reply)
        except Superseded:
            return
    _answer(engine, claim, reply.response())
    send_posts(client, reply)  # a proposal's review post: after the answer, once
    if reply.picture is not None:  # `map image`: the picture follows the words, in the DM
        send_picture(
            client, engine, context, Respond(response_url=claim.response_url), reply.picture
        )


def _answer(engine: Engine, claim: Claim, payload: dict[str, object]) -> None:
    hook = WebhookClient(claim.response_url, retry_handlers=request_retry_handlers())
    status = hook.send_dict(dict(payload)).status_code
    if status >= 500 or status == 429:
        logger.warning("command %s: response_url said %d; the sweep tries again", claim.id, status)
        return  # still done-not-answered: the sweep answers it later
    with session_scope(engine) as session:
        commands.answered(session=session, command=claim)


def sweep(engine: Engine, clients: Clients, now: datetime) -> int:
    """Finish the commands dead workers left; how many were taken over."""
    with session_scope(engine, write=False) as session:
        stale = commands.stale(session=session, now=now)
    taken = 0
    for claim in stale:
        client = clients(claim.team_id)
        if client is None or claim.attempts >= MAX_ATTEMPTS or claim.received_at < now - ANSWERABLE:
            _give_up(engine, claim, answerable=claim.received_at >= now - ANSWERABLE)
            continue
        with session_scope(engine) as session:
            mine = commands.reclaim(session=session, command=claim, now=now)
        if mine is not None:
            taken += 1
            run(engine, client, mine)
    return taken


def _give_up(engine: Engine, claim: Claim, *, answerable: bool) -> None:
    """A command that cannot be finished: its person is told, while Slack still listens."""
    with session_scope(engine) as session:
        mine = commands.expire(session=session, command=claim)
    if mine and answerable:
        payload = refusal(Rejected("internal")).response()
        WebhookClient(claim.response_url, retry_handlers=request_retry_handlers()).send_dict(
            payload
        )


class Sweeper:
    """A web worker's own sweep, so a command is finished even where no clock runs."""

    def __init__(self, engine: Engine, clients: Clients) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(engine, clients), name="sweeper", daemon=True
        )
        self._thread.start()

    def _loop(self, engine: Engine, clients: Clients) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            now = datetime.now(UTC)  # the sweeper reads the clock here
            try:
                sweep(engine, clients, now)
                with session_scope(engine) as session:  # as the clock does, if none runs
                    forget_signatures(session=session, before=now - REPLAY_WINDOW)
            except Exception:
                logger.exception("sweeping recorded commands failed")

    def stop(self) -> None:
        self._stop.set()
