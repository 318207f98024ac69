"""The pictures: drawn as SVG from templates, turned into PNG, and shown in Slack.

PNG comes from resvg (the resvg-py wheel: no system library, no network) with the fonts the
project installs as packages (Noto Sans and its Arabic, Hebrew, symbol and emoji companions from
manimgx-fonts, Noto Sans CJK from cvttf-NotoSansCJK-Regular). System fonts are never loaded, so a
picture looks the same on every machine, and one with no fonts at all still draws every name.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

import resvg_py
from sqlalchemy import Engine

from bot.commands import Context
from bot.commands.findings import analyse_tools, workspace_tools
from core.picture import layout
from core.spend_chart import spend_chart
from core.stack import stack_map
from db.engine import session_scope
from db.tools import get_workspace
from templates.svg import render_svg

log = logging.getLogger(__name__)
SHARP_UP_TO = 2000  # px of picture height drawn at twice the size
_HEIGHT = re.compile(r'<svg[^>]*\sheight="([0-9.]+)"')


class RenderError(Exception):
    """A picture could not be drawn; the text it accompanies goes out without it."""


@cache
def font_files() -> tuple[str, ...]:
    """Every font file the pictures may name, found inside the installed packages."""
    noto = Path(str(files("manimgx_fonts")))
    cjk = Path(str(files("cvttf_NotoSansCJK_Regular")))
    wanted = [
        *sorted(p for p in noto.iterdir() if p.suffix == ".ttf" and "Italic" not in p.name),
        *sorted(cjk.glob("*.otf")),
    ]
    return tuple(str(p) for p in wanted)


def to_png(svg: str, *, zoom: float | None = None) -> bytes:
    """`svg` drawn as PNG: at twice its size, so it stays sharp on a phone's screen, unless it is
    taller than `SHARP_UP_TO` (a large stack), which is drawn at its own size to keep the
    file and the time to draw it in bounds."""
    if zoom is None:
        zoom = 2.0 if _height(svg) <= SHARP_UP_TO else 1.0
    try:
        data = resvg_py.svg_to_bytes(
            svg_string=svg,
            skip_system_fonts=True,
            font_files=list(font_files()),
            sans_serif_family="Noto Sans",
            zoom=zoom,
        )
    # resvg is Rust: a bug in it surfaces as pyo3's PanicException, a BaseException.
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        raise RenderError(f"the picture could not be drawn: {error}") from error
    return bytes(data)


def _height(svg: str) -> float:
    match = _HEIGHT.search(svg[:1000])
    return float(match[1]) if match else 0.0


def stack_map_svg(
    engine: Engine, context: Context, *, people: dict[str, str] | None = None
) -> str | None:
    """The workspace's map as SVG, or None when it has no stack stored."""
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=context.team_id)
        if workspace is None:
            return None
        tools = workspace_tools(session, workspace)
        findings = analyse_tools(session, workspace, context, tools)
    picture = layout(stack_map(tools), findings, people=people)
    return render_svg("stack_map", picture=picture)


def spend_svg(engine: Engine, context: Context) -> str | None:
    """The workspace's spend per layer and currency as SVG, or None with no stack stored."""
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=context.team_id)
        if workspace is None:
            return None
        tools = workspace_tools(session, workspace)
    return render_svg("spend_chart", chart=spend_chart(stack_map(tools)))
