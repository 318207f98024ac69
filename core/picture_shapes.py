"""The shapes a picture of the map is made of, positioned: what core.picture returns and
templates/stack_map.svg.j2 draws. Text in them is the user's, already cut to fit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Badge:
    cx: float
    cy: float
    letter: str
    colour: str


@dataclass(frozen=True, slots=True)
class Box:
    """One tool in one band (or a platform over several), or the "+N more" box."""

    x: float
    y: float
    w: float
    h: float
    name: tuple[str, ...]  # lines, cut to fit; () for a "more" box
    detail: tuple[str, ...]  # owner and monthly cost, cut to fit
    colour: str  # border: the first overlap group's colour, or the plain border
    badges: tuple[Badge, ...] = ()
    more: int = 0  # for a "+N more" box: how many tools it stands for
    platform: bool = False
    built: bool = False  # sourcing:build, drawn tinted green


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    w: float
    label: str  # "$42,000"
    colour: str


@dataclass(frozen=True, slots=True)
class Band:
    number: int
    y: float
    h: float
    label: str  # "2 · Inference and serving", cut to fit
    state: str  # "gap", "thin" or "" (a plain band)
    key: str
    bars: tuple[Bar, ...]
    empty: bool
    content_y: float  # where its boxes start


@dataclass(frozen=True, slots=True)
class Connector:
    """A platform's line through a band it does not cover, joining its boxes."""

    x: float
    y1: float
    y2: float
    colour: str


@dataclass(frozen=True, slots=True)
class Group:
    letter: str
    colour: str
    text: str  # the finding's reason, cut to fit the legend
    y: float


@dataclass(frozen=True, slots=True)
class Picture:
    width: int
    height: int
    tool_count: int
    title_spend: str  # "$57,166 + €18,000" (the words around it come from the template)
    bands: tuple[Band, ...]
    boxes: tuple[Box, ...]
    connectors: tuple[Connector, ...]
    groups: tuple[Group, ...]
    more_groups: int
    legend_y: float
    tools_x: float
    spend_x: float
