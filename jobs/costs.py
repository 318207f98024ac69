"""The clock's daily pull of the provider cost APIs (stack.costs): once per provider and UTC
day, claimed like a delivery so two clocks pull once. Each pull re-reads last month and this
month whole, so a day that failed is pulled by the next day's run; nothing needs resuming.
Overspend it finds is queued as letters (stack.overspend) that the next pass posts."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from sqlalchemy import Engine

from core.settings import Settings
from db import deliveries
from db.engine import session_scope
from db.people import all_workspaces
from db.tools import get_workspace
from stack import Context
from stack.costs import Fetcher, pull_costs, sources

logger = logging.getLogger(__name__)
KIND = "pull-costs"
ACTOR = "stackbot"  # who the history says pulled


def pull_costs_daily(
    engine: Engine, now: datetime, *, settings: Settings | None = None,
    fetcher: Fetcher | None = None,
) -> int:  # fmt: skip
    """Pull each provider whose admin key is set, once a day; how many pulls stored costs."""
    settings = settings or Settings.from_environ(os.environ)
    found = sources(settings)
    if not found:
        return 0
    team_id = settings.costs_team or _only_team(engine)
    if team_id is None:
        logger.warning("provider costs not pulled: several workspaces, and COSTS_TEAM is unset")
        return 0
    day = now.astimezone(UTC).date().isoformat()
    stored = 0
    for source in found:
        if not _claim(engine, team_id, f"{KIND}:{source.provider}:{day}", day, now):
            continue  # pulled today already, by this clock or another
        report = pull_costs(
            engine, Context(team_id=team_id, user_id=ACTOR, now=now), source, fetcher=fetcher
        )
        if report.applied:
            stored += 1
        else:
            codes = sorted({p.code for p in report.bill.problems})
            logger.warning("%s costs not stored: %s", source.provider, ", ".join(codes))
    return stored


def _only_team(engine: Engine) -> str | None:
    with session_scope(engine, write=False) as session:
        teams = [team_id for _, team_id, _ in all_workspaces(session=session)]
    return teams[0] if len(teams) == 1 else None


def _claim(engine: Engine, team_id: str, key: str, day: str, now: datetime) -> bool:
    with session_scope(engine) as session:
        workspace = get_workspace(session=session, team_id=team_id)
        if workspace is None or workspace.id is None:
            return False  # no such workspace yet: nothing to file the costs under
        row = deliveries.claim(
            session=session, workspace_id=workspace.id, key=key, kind=KIND, period=day,
            now=now, status=deliveries.SKIPPED,
        )  # fmt: skip
        return row is not None
