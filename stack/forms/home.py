"""The App Home: the seven-layer map, fresh each time it is opened."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from db.engine import session_scope
from db.tools import ensure_workspace
from stack.base import Context
from stack.loaded import load_stack
from stack.tools import MAP_TOOLS_PER_LAYER
from templates.render import render_view


def home_view(engine: Engine, context: Context) -> dict[str, Any]:
    with session_scope(engine) as session:
        workspace = ensure_workspace(
            session=session, team_id=context.team_id, now=context.now, zone=context.zone
        )
        loaded = load_stack(session, workspace, context.today(workspace))
        return render_view(
            "home", map=loaded.map, per_layer=MAP_TOOLS_PER_LAYER,
            open_findings=loaded.summary.open, summary=loaded.summary, now=context.now,
            zone=workspace.timezone, coverage=loaded.coverage,
        )  # fmt: skip
