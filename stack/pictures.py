"""The pictures: drawn as SVG from templates and turned into PNG (bot.pictures shows them).

PNG comes from resvg (the resvg-py wheel: no system library, no network), run in a child
process by stack.rasterise with the fonts the project installs as packages (Noto Sans and its
Arabic, Hebrew, symbol and emoji companions from manimgx-fonts, Noto Sans CJK from
cvttf-NotoSansCJK-Regular). System fonts are never loaded, so a picture looks the same on every
machine, including one with no fonts installed at all.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from core.picture import layout
from core.schedule import local_date
from core.spend_chart import spend_chart
from core.stack import StackTool
from db.engine import session_scope
from db.spend import monthly_totals
from db.tools import get_workspace
from stack.loaded import load_stack
from templates.render import render_view
from templates.svg import render_svg

MAX_NAMES = 40  # owners named per picture; the rest are shown by their Slack id
DRAW_SECONDS = 60  # a 300-tool map takes 1-3 s on a busy two-core machine
SHARP_UP_TO = 2000  # px of picture height drawn at twice the size
_HEIGHT = re.compile(r'<svg[^>]*\sheight="([0-9.]+)"')


class RenderError(Exception):
    """A picture could not be drawn; the text it accompanies goes out without it."""


def to_png(svg: str, *, zoom: float | None = None) -> bytes:
    """`svg` drawn as PNG: at twice its size, so it stays sharp on a phone's screen, unless it is
    taller than `SHARP_UP_TO` (a large stack), which is drawn at its own size to keep the
    file and the time to draw it in bounds. Drawn in a child process (stack.rasterise)."""
    if zoom is None:
        zoom = 2.0 if _height(svg) <= SHARP_UP_TO else 1.0
    try:
        done = subprocess.run(
            [sys.executable, "-m", "stack.rasterise", str(zoom)],
            input=svg.encode("utf-8"),
            capture_output=True,
            timeout=DRAW_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"the picture took over {DRAW_SECONDS} s to draw") from error
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RenderError(f"the picture could not be drawn: {why[0][:300]}")
    return done.stdout


def _height(svg: str) -> float:
    match = _HEIGHT.search(svg[:1000])
    return float(match[1]) if match else 0.0


@dataclass(frozen=True, slots=True)
class Drawing:
    """A picture as SVG, with the words that go with it when it is uploaded."""

    kind: str  # "map" or "spend"
    svg: str
    text: str  # the file's comment where it is posted (mrkdwn)
    alt: str  # alt text for screen readers
    title: str

    @property
    def filename(self) -> str:
        return "stack-map.png" if self.kind == "map" else "stack-spend.png"


NameOf = Callable[[str], str | None]  # a person's id -> the name to show, or None


def draw(
    engine: Engine,
    team_id: str,
    now: datetime,
    kind: str,
    *,
    where: str,
    name_of: NameOf | None = None,
) -> Drawing | None:
    """The workspace's map or spend chart, or None when it has no stack stored. With
    `name_of`, owners are shown by name (the first `MAX_NAMES` owners, so a huge stack costs
    a bounded number of lookups); otherwise by their Slack id."""
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=team_id)
        if workspace is None:
            return None
        loaded = load_stack(session, workspace, local_date(now, workspace.timezone))
        findings = loaded.findings if kind == "map" else []
        billed = (
            monthly_totals(session=session, workspace_id=workspace.id or 0)
            if kind == "spend"
            else {}
        )
        tools, summary = loaded.tools, loaded.map
    if kind == "spend":
        chart = spend_chart(summary, billed)
        svg = render_svg("spend_chart", chart=chart)
        words = render_view("picture_posted", kind=kind, chart=chart, picture=None, where=where)
    else:
        people = _names(tools, name_of) if name_of is not None else None
        picture = layout(summary, findings, people=people)
        svg = render_svg("stack_map", picture=picture)
        words = render_view("picture_posted", kind=kind, picture=picture, chart=None, where=where)
    return Drawing(kind, svg, words["text"], words["alt"][:1000], words["title"])


def _names(tools: Sequence[StackTool], name_of: NameOf) -> dict[str, str]:
    owners = sorted({t.owner_id for t in tools if t.owner_id and t.active})[:MAX_NAMES]
    found = {owner: name_of(owner) for owner in owners}
    return {owner: name for owner, name in found.items() if name}


def stack_map_svg(engine: Engine, team_id: str, now: datetime) -> str | None:
    """The workspace's map as SVG, or None when it has no stack stored."""
    drawn = draw(engine, team_id, now, "map", where="file")
    return drawn.svg if drawn else None


def spend_svg(engine: Engine, team_id: str, now: datetime) -> str | None:
    """The workspace's spend per layer and currency as SVG, or None with no stack stored."""
    drawn = draw(engine, team_id, now, "spend", where="file")
    return drawn.svg if drawn else None
