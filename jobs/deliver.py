"""Claim, post, record: how every reminder and digest goes out.

The claim is a row with a unique key, committed before anything is posted, so a second clock
(or a second pass) finds it and moves on. The row then records where the message went, or why
it did not; a message that failed for a reason that may pass is tried again on a later pass.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.outbound import DeliveryError, Directory, Poster
from db import deliveries
from db.deliveries import UNDELIVERABLE
from db.engine import session_scope
from db.models import FAILED, SENT, Delivery
from stack.letters import Letter, letter_data
from templates.render import render

logger = logging.getLogger(__name__)


def send(engine: Engine, directory: Directory, letter: Letter, *, now: datetime) -> bool:
    """Post `letter` unless its key was claimed already. True when this call claimed it."""
    poster = directory.poster(letter.team_id)
    if poster is None:
        return False  # not installed: nothing can be posted, and nothing is claimed
    if letter.target is not None:
        poster.wait_turn(
            letter.target
        )  # before the claim, so a clock killed while waiting leaves none
    with session_scope(engine) as session:
        row = deliveries.claim(
            session=session, workspace_id=letter.workspace_id, key=letter.key, kind=letter.kind,
            period=letter.period, tool_id=letter.tool_id, now=now, data=letter_data(letter),
        )  # fmt: skip
    if row is None:
        return False
    _post(engine, directory, poster, row, team_id=letter.team_id, now=now)
    return True


def retry(
    engine: Engine,
    directory: Directory,
    *,
    now: datetime,
    team_id: str | None = None,
    kind: str | None = None,
) -> int:
    """Try again what failed for a passing reason, and what a dead clock claimed but never sent."""
    done = 0
    with session_scope(engine) as session:
        rows = deliveries.retryable(session=session, now=now, team_id=team_id)
    for row, team in rows:
        if kind is not None and row.kind != kind:
            continue
        poster = directory.poster(team)
        if poster is None:
            continue
        target = row.data.get("target")
        if isinstance(target, str):
            poster.wait_turn(target)
        with session_scope(engine) as session:
            if not deliveries.reclaim(session=session, delivery=row, now=now):
                continue
        _post(engine, directory, poster, row, team_id=team, now=now)
        done += 1
    return done


def _post(
    engine: Engine,
    directory: Directory,
    poster: Poster,
    row: Delivery,
    *,
    team_id: str,
    now: datetime,
) -> None:
    assert row.id is not None
    message = deliveries.message_of(row) or {"text": "stackbot", "blocks": []}
    target = row.data.get("target")
    person = row.data.get("person")
    outcome: dict[str, Any]
    try:
        if not isinstance(target, str):
            raise DeliveryError("no_channel")
        posted = poster.post(target, message, paced=False)
        outcome = {"status": SENT, "channel": posted.channel, "ts": posted.ts}
        if row.data.get("dm_person") and isinstance(person, str):
            outcome["note"] = _dm_copy(poster, person, message)
    except DeliveryError as error:
        outcome = _fall_back(directory, poster, team_id, error, target, person, message)
    logger.info("delivery %s: %s %s", row.key, outcome["status"], outcome.get("error") or "")
    with session_scope(engine) as session:
        deliveries.finish(session=session, delivery_id=row.id, now=now, **outcome)


def _fall_back(
    directory: Directory,
    poster: Poster,
    team_id: str,
    error: DeliveryError,
    target: object,
    person: object,
    message: dict[str, Any],
) -> dict[str, Any]:
    """The channel is gone or unset: DM the owner, else whoever installed stackbot, and say so
    on the message. Other errors are recorded, to be tried again if they may pass."""
    if not (error.channel_gone or error.code == "no_channel"):
        status = UNDELIVERABLE if error.permanent and not error.revoked else FAILED
        return {"status": status, "error": error.code}
    fallback = person if isinstance(person, str) else directory.installer(team_id)
    if fallback is None:
        return {"status": UNDELIVERABLE, "error": error.code, "note": "nobody"}
    note = render(
        "fallback_note", channel=target if isinstance(target, str) else None, error=error.code
    )
    noted = {"text": message["text"], "blocks": note["blocks"] + message.get("blocks", [])}
    try:
        posted = poster.dm(fallback, noted)
    except DeliveryError as second:
        status = FAILED if not second.permanent else UNDELIVERABLE
        return {"status": status, "error": f"{error.code}, then {second.code}"}
    return {
        "status": SENT, "channel": posted.channel, "ts": posted.ts, "error": error.code,
        "note": f"fallback:{fallback}",
    }  # fmt: skip


def _dm_copy(poster: Poster, person: str, message: dict[str, Any]) -> str | None:
    try:
        poster.dm(person, message)
    except DeliveryError as error:
        return f"owner_dm_failed:{error.code}"
    return None
