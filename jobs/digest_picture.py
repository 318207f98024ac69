"""The pictures under the weekly digest: the map and the spend chart, as PNGs in the digest's
thread.

The digest reads in full without it, so the picture is best effort: posted once, right after
the digest, and never tried again. A picture that cannot be drawn or uploaded is logged and
changes nothing about the digest's own delivery record.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.outbound import Directory
from bot.pictures import names, upload
from db import deliveries
from db.engine import session_scope
from db.models import SENT, Workspace
from stack.pictures import RenderError, draw, to_png

logger = logging.getLogger(__name__)


def follow_with_picture(
    engine: Engine, directory: Directory, workspace: Workspace, *, key: str, now: datetime
) -> bool:
    """Post the map in the thread of the digest recorded under `key`; True when it was."""
    with session_scope(engine, write=False) as session:
        row = deliveries.by_key(session=session, workspace_id=workspace.id or 0, key=key)
    poster = directory.poster(workspace.team_id)
    if row is None or row.status != SENT or not row.channel or not row.ts or poster is None:
        return False  # not posted (or only as a fallback DM with no thread to answer)
    try:
        name_of = names(poster.client, workspace.team_id)
        drawings = [
            draw(engine, workspace.team_id, now, kind, where="digest", name_of=name_of)
            for kind in ("map", "spend")
        ]
        files = [(d, to_png(d.svg)) for d in drawings if d is not None]
        if not files:
            return False
        upload(poster.client, files, channel=row.channel, thread_ts=row.ts)
    except (RenderError, SlackApiError) as error:
        logger.warning("digest picture for %s not posted: %s", workspace.team_id, error)
        return False
    return True
