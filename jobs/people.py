"""Owners who left Slack: from a `user_change` event as it happens, and from a daily sweep of
`users.list` for the events missed while stackbot was down. Either way a leaver's tools lose
them once, and the stack admins get one note per person."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.outbound import Directory, Poster
from core.people import person_from_slack
from core.schedule import local_date
from db import deliveries, people
from db.engine import session_scope
from db.people import workspaces_of
from jobs.deliver import send
from stack.people import user_left

logger = logging.getLogger(__name__)
PAGE = 200  # users.list's recommended page size; it is a Tier 2 method (20+ calls a minute)


def sweep_users(engine: Engine, directory: Directory, now: datetime) -> int:
    """Once a day per workspace: everyone `users.list` says left, who still owns or backs up a
    tool, leaves it. Returns how many tools lost their owner."""
    teams = []
    with session_scope(engine, write=False) as session:
        for workspace_id, team_id, zone in people.all_workspaces(session=session):
            day = local_date(now, zone).isoformat()
            # A read first: most passes find today's sweep done, and need not try to claim it.
            key = f"sweep:{day}"
            if not deliveries.exists(session=session, workspace_id=workspace_id, key=key):
                teams.append((team_id, day))
    done = 0
    for team_id, day in teams:
        poster = directory.poster(team_id)
        if poster is None:
            continue
        if not _claim_sweep(engine, team_id, day, now):
            continue  # swept today already, by this clock or another
        owners = _owners(engine, team_id)
        if not owners:
            continue  # nobody owns anything: there is nobody to lose
        for user in _members(poster, team_id):
            person = person_from_slack(user)
            if person.left and person.id in owners:
                for letter, count in user_left(engine, team_id=team_id, user_id=person.id, now=now):
                    send(engine, directory, letter, now=now)
                    done += count
    return done


def _claim_sweep(engine: Engine, team_id: str, day: str, now: datetime) -> bool:
    with session_scope(engine) as session:
        workspace = workspaces_of(session=session, team_id=team_id)[0]
        assert workspace.id is not None
        row = deliveries.claim(
            session=session, workspace_id=workspace.id, key=f"sweep:{day}", kind="sweep",
            period=day, now=now, status=deliveries.SKIPPED,
        )  # fmt: skip
        return row is not None


def _owners(engine: Engine, team_id: str) -> set[str]:
    with session_scope(engine, write=False) as session:
        return people.owners_and_backups(session=session, team_id=team_id)


def _members(poster: Poster, team_id: str) -> Iterator[Mapping[str, Any]]:
    """Every member, a page at a time. The client retries 429s after Retry-After; a page that
    still fails ends this sweep early (what was read is acted on, tomorrow's sweep reads all)."""
    cursor = None
    while True:
        try:
            page = poster.client.users_list(limit=PAGE, cursor=cursor)
        except SlackApiError as error:
            logger.warning("users.list for %s stopped: %s", team_id, error.response.get("error"))
            return
        yield from page.get("members") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return
