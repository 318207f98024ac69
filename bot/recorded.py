"""Slash commands as rows, so that one acked is done (../shared/STYLE.md, point 14).

The web process inserts the command's row before the ack, and does nothing more with it; a
worker (bot.worker) claims the row and `run`s it. The command's writes and marking the row done
commit together; then its answer goes to the command's response_url and the row is marked
answered. A worker killed on the way leaves a claim that grows stale: `sweep` (every worker,
and the clock) takes it over with a conditional UPDATE and finishes it, or only answers it if
its writes had committed.

The window left: a worker killed after Slack took the answer and before the row said so sends
that answer again (the writes are never made twice).
"""

from __future__ import annotations

import logging
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
from db.commands import ANSWERABLE, MAX_ATTEMPTS, Claim
from db.engine import session_scope
from db.models import DONE
from stack import Reply, run_command
from stack.base import refusal
from stack.run import people_named

logger = logging.getLogger(__name__)
Clients = Callable[[str], WebClient | None]  # a workspace's client, None if not installed


class Superseded(Exception):
    """Another worker re-claimed the command: this one's work is rolled back."""


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
            give_up(engine, claim, answerable=claim.received_at >= now - ANSWERABLE)
            continue
        with session_scope(engine) as session:
            mine = commands.reclaim(session=session, command=claim, now=now)
        if mine is not None:
            taken += 1
            run(engine, client, mine)
    return taken


def give_up(engine: Engine, claim: Claim, *, answerable: bool) -> None:
    """A command that cannot be finished: its person is told, while Slack still listens."""
    with session_scope(engine) as session:
        mine = commands.expire(session=session, command=claim)
    if mine and answerable:
        payload = refusal(Rejected("internal")).response()
        WebhookClient(claim.response_url, retry_handlers=request_retry_handlers()).send_dict(
            payload
        )
