"""The seven-layer map as a picture: where every band, box, badge and bar goes.

Pure layout. It takes the stack map and the analysis's findings and returns positioned shapes
with the user's text already cut to fit; templates/stack_map.svg.j2 draws them and supplies
every fixed word. Governance is at the top and compute at the bottom, as the stack is drawn on
a whiteboard. Sizes are chosen for Slack on a phone: at up to `SMALL_STACK` tools the picture
is 824 px wide with 18 px names, which a 375 pt phone shows at about 7.5 pt in a message; larger
stacks get more columns (up to 1,340 px, legible once the image is opened) and each band shows
its `rows` most expensive tools, then a "+N more" box.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.analysis import Finding
from core.money import format_amount
from core.picture_shapes import Badge, Band, Bar, Box, Connector, Group, Picture
from core.profile import profile
from core.stack import LayerSummary, StackMap, StackTool
from core.text_width import fit, text_width, wrap

# The kinds whose tools are "paid for twice": each open finding of these is one lettered group.
OVERLAP_KINDS = frozenset({"platform-paid-twice", "duplicate-capability", "duplicate-registration"})
# Okabe and Ito's palette: told apart by people with any common colour blindness.
GROUP_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#999933")
CURRENCY_COLOURS = ("#1F4E79", "#2E8B57", "#7B3F99", "#8B5A2B")
PLAIN_BORDER = "#5B6770"
SMALL_STACK = 24
MARGIN = 20
PAD = 12
TITLE_H = 64
HEADER_H = 44  # a band's title line
SPEND_W = 150
GAP = 8
BOX_H = 54
ROW_H = BOX_H + 14  # room for the badges that sit on a box's top edge
EMPTY_H = 34
LANE_W = 170
NAME_SIZE = 18
DETAIL_SIZE = 15
LABEL_SIZE = 18
LEGEND_ROW = 30
MAX_GROUPS_LISTED = 10
MAX_BADGES = 3
BADGE_STEP = 22


@dataclass(frozen=True, slots=True)
class _Grid:
    columns: int
    lanes: int
    rows: int  # most rows of boxes a band shows before "+N more"
    box_w: float

    @property
    def tools_x(self) -> float:
        return MARGIN + PAD

    @property
    def lanes_x(self) -> float:
        # Platforms' lanes go right of the boxes, clear of the bands' titles they cross.
        return self.tools_x + self.columns * (self.box_w + GAP)

    @property
    def spend_x(self) -> float:
        return self.lanes_x + self.lanes * (LANE_W + GAP) + GAP

    @property
    def width(self) -> int:
        return int(self.spend_x + SPEND_W + MARGIN)


def _grid(summary: StackMap, platforms: int) -> _Grid:
    count = summary.tool_count
    if count <= SMALL_STACK:
        return _Grid(columns=2, lanes=min(platforms, 1), rows=99, box_w=210)
    if count <= 60:
        return _Grid(columns=3, lanes=min(platforms, 2), rows=8, box_w=210)
    return _Grid(columns=4, lanes=min(platforms, 2), rows=6, box_w=185)


def layout(
    summary: StackMap,
    findings: Sequence[Finding],
    *,
    people: Mapping[str, str] | None = None,
) -> Picture:
    """The picture of `summary`, marked with the open `findings`. `people` names owners by
    Slack id; an owner not in it is shown as @id."""
    groups = _overlap_groups(findings)
    tool_groups: dict[int, list[int]] = {}
    for index, finding in enumerate(groups):
        for tool in finding.tools:
            tool_groups.setdefault(tool.id, []).append(index)
    gaps = _layers_of(findings, "gap")
    thin = _layers_of(findings, "thin-layer")
    platforms = _platforms(summary)
    grid = _grid(summary, len(platforms))
    laned = platforms[: grid.lanes]
    laned_layers = {n for tool in laned for n in tool.layers}
    names = dict(people or {})
    currencies = list(summary.spend)
    top = _max_spend(summary)

    boxes: list[Box] = []
    bands: list[Band] = []
    y = float(MARGIN + TITLE_H)
    for layer in reversed(summary.layers):
        laned_ids = {tool.id for tool in laned}
        loose = [t for t in _by_cost(layer.tools) if t.id not in laned_ids]
        slots = grid.columns * grid.rows
        shown = loose if len(loose) <= slots else loose[: slots - 1]
        more = len(loose) - len(shown)
        rows = -(-(len(shown) + (1 if more else 0)) // grid.columns)
        if layer.layer.number in laned_layers:
            rows = max(rows, 2)
        bars = _bars(layer, currencies, top)
        content = max(rows * ROW_H, len(bars) * 36.0 - 4, EMPTY_H)
        height = HEADER_H + content + PAD
        top_y = y + HEADER_H
        for index, tool in enumerate(shown):
            column, row = index % grid.columns, index // grid.columns
            x = grid.tools_x + column * (grid.box_w + GAP)
            boxes.append(
                _box(
                    tool,
                    x,
                    top_y + row * ROW_H,
                    grid.box_w,
                    BOX_H,
                    tool_groups.get(tool.id, []),
                    names,
                    layers=(layer.layer.number,),
                )
            )
        if more:
            column, row = len(shown) % grid.columns, len(shown) // grid.columns
            boxes.append(
                Box(
                    x=grid.tools_x + column * (grid.box_w + GAP),
                    y=top_y + row * ROW_H,
                    w=grid.box_w,
                    h=BOX_H,
                    name=(),
                    detail=(),
                    colour="#888888",
                    more=more,
                )
            )
        label = f"{layer.layer.number} · {layer.layer.title}"
        bands.append(
            Band(
                number=layer.layer.number,
                y=y,
                h=height,
                label=fit(label, grid.lanes_x - grid.tools_x - 130, LABEL_SIZE, bold=True),
                state="gap"
                if layer.layer.number in gaps
                else "thin"
                if layer.layer.number in thin
                else "",
                key=layer.layer.key,
                bars=tuple(Bar(grid.spend_x, top_y + b.y, b.w, b.label, b.colour) for b in bars),
                empty=not layer.tools,
                content_y=top_y,
            )
        )
        y += height + GAP
    lane_boxes, connectors = _lanes(laned, bands, grid, tool_groups, names)
    boxes.extend(lane_boxes)
    legend_y = y + GAP
    listed = groups[:MAX_GROUPS_LISTED]
    legend_w = grid.width - 2 * MARGIN - 40
    group_rows = tuple(
        Group(
            letter=_letter(index),
            colour=_colour(index),
            text=fit(finding.reason, legend_w, DETAIL_SIZE),
            y=legend_y + 2 * LEGEND_ROW + index * LEGEND_ROW,
        )
        for index, finding in enumerate(listed)
    )
    more_groups = len(groups) - len(listed)
    height = legend_y + 2 * LEGEND_ROW + (len(listed) + (1 if more_groups else 0)) * LEGEND_ROW
    return Picture(
        width=grid.width,
        height=int(height + MARGIN),
        tool_count=summary.tool_count,
        title_spend=" + ".join(_whole(v, k) for k, v in summary.spend.items()),
        bands=tuple(bands),
        boxes=tuple(boxes),
        connectors=tuple(connectors),
        groups=group_rows,
        more_groups=more_groups,
        legend_y=legend_y,
        tools_x=grid.tools_x,
        spend_x=grid.spend_x,
    )


# Tools billed by use sharing a job (compute, model APIs) are a group to review, not a bill
# paid twice: moving work between them moves the bill, so the map does not badge them.
BILLED_BY_USE_RULES = frozenset({"usage-billed", "compute"})


def _overlap_groups(findings: Iterable[Finding]) -> list[Finding]:
    return [
        f
        for f in findings
        if f.kind in OVERLAP_KINDS and not f.accepted and f.rule not in BILLED_BY_USE_RULES
    ]


def _layers_of(findings: Iterable[Finding], kind: str) -> set[int]:
    return {n for f in findings if f.kind == kind and not f.accepted for n in f.layers}


def _platforms(summary: StackMap) -> list[StackTool]:
    """Platforms (the catalog's word or the team's, core/profile.py) in two or more layers,
    widest and dearest first: they get lanes of their own. Other tools in several layers get a
    box in each, as they are no platform."""
    seen: dict[int, StackTool] = {}
    for layer in summary.layers:
        for tool in layer.tools:
            if len(tool.layers) > 1 and profile(tool).platform:
                seen[tool.id] = tool
    return sorted(seen.values(), key=lambda t: (-len(t.layers), -(t.monthly or 0), t.name))


def _by_cost(tools: Iterable[StackTool]) -> list[StackTool]:
    """Most money first, so a band cut short still shows what matters."""
    return sorted(tools, key=lambda t: (-(t.monthly or 0), t.name.casefold(), t.id))


def _letter(index: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return (
        letters[index]
        if index < len(letters)
        else f"{letters[index // len(letters) - 1]}{letters[index % len(letters)]}"
    )


def _colour(index: int) -> str:
    return GROUP_COLOURS[index % len(GROUP_COLOURS)]


def _whole(amount: Decimal, currency: str) -> str:
    """Whole units: cents are noise in a picture."""
    return format_amount(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)


def _detail(
    tool: StackTool, people: Mapping[str, str], layers: Sequence[int] | None = None
) -> tuple[str, tuple[str, ...]]:
    """Who owns it ("no owner" when nobody does), and what it costs a month, longest first.
    In a box that covers `layers` (one band, or a platform's run of bands), the cost is what
    those bands' bars count (core.stack.spend_by_currency: an even share over the layers of
    its main jobs), with the whole beside it when that is more and there is room."""
    owner = f"@{people.get(tool.owner_id, tool.owner_id)}" if tool.owner_id else "no owner"
    if tool.cost is None or tool.monthly is None:
        return owner, ()
    whole = _whole(tool.monthly, tool.cost.currency)
    main = set(tool.main_layers)
    here = main & set(layers) if layers is not None else main
    if not here and tool.monthly:
        return owner, ("cost counted elsewhere", "")
    if here == main:
        return owner, (whole + "/mo",)
    counted = _whole(tool.monthly * len(here) / len(main), tool.cost.currency)
    return owner, (f"{counted} of {whole}/mo", f"{counted}/mo")


def _box(
    tool: StackTool,
    x: float,
    y: float,
    w: float,
    h: float,
    groups: Sequence[int],
    people: Mapping[str, str],
    *,
    platform: bool = False,
    layers: Sequence[int] | None = None,
) -> Box:
    # Badges sit on the top edge, right-aligned, so they cost the name no room.
    badges = tuple(
        Badge(cx=x + w - 16 - i * BADGE_STEP, cy=y, letter=_letter(g), colour=_colour(g))
        for i, g in enumerate(groups[:MAX_BADGES])
    )
    room = w - 20
    owner, costs = _detail(tool, people, layers)
    if platform:
        name = tuple(wrap(tool.name, room, NAME_SIZE, lines=3, bold=True))
        detail = tuple(fit(part, room, DETAIL_SIZE) for part in (owner, *costs[:1]) if part)
    else:
        name = (fit(tool.name, room, NAME_SIZE, bold=True),)
        # The longest wording that fits; the owner (or "no owner") first, so a cut keeps it.
        options = [" · ".join(part for part in (owner, cost) if part) for cost in costs] or [owner]
        joined = next((o for o in options if text_width(o, DETAIL_SIZE) <= room), options[-1])
        detail = (fit(joined, room, DETAIL_SIZE),)
    return Box(
        x=x,
        y=y,
        w=w,
        h=h,
        name=name,
        detail=detail,
        colour=_colour(groups[0]) if groups else PLAIN_BORDER,
        badges=badges,
        platform=platform,
        built=tool.sourcing == "build",
    )


def _lanes(
    platforms: Sequence[StackTool],
    bands: Sequence[Band],
    grid: _Grid,
    tool_groups: dict[int, list[int]],
    people: Mapping[str, str],
) -> tuple[list[Box], list[Connector]]:
    """Each platform in a lane of its own: one box over each run of adjacent bands it covers,
    a line through the bands between them, so it reads as one tool spanning the stack."""
    boxes: list[Box] = []
    connectors: list[Connector] = []
    by_number = {band.number: band for band in bands}
    for lane, tool in enumerate(platforms):
        x = grid.lanes_x + lane * (LANE_W + GAP)
        runs = _runs(sorted(tool.layers))
        for run in runs:
            top, bottom = by_number[run[-1]], by_number[run[0]]  # higher layers are drawn above
            height = bottom.y + bottom.h - PAD - top.content_y
            boxes.append(
                _box(
                    tool,
                    x,
                    top.content_y,
                    LANE_W,
                    height,
                    tool_groups.get(tool.id, []),
                    people,
                    platform=True,
                    layers=run,
                )
            )
        for lower, upper in itertools.pairwise(runs):
            below, above = by_number[lower[-1]], by_number[upper[0]]
            connectors.append(
                Connector(
                    x=x + LANE_W / 2,
                    y1=above.y + above.h - PAD,
                    y2=below.content_y,
                    colour=boxes[-1].colour,
                )
            )
    return boxes, connectors


def _runs(numbers: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def _max_spend(summary: StackMap) -> dict[str, Decimal]:
    top: dict[str, Decimal] = {}
    for layer in summary.layers:
        for currency, amount in layer.spend.items():
            top[currency] = max(top.get(currency, Decimal(0)), amount)
    return top


def _bars(layer: LayerSummary, currencies: Sequence[str], top: Mapping[str, Decimal]) -> list[Bar]:
    """One bar per currency the layer is paid in, as long as its share of the dearest layer's
    spend in that currency; `x` is set by the caller and `y` is from the band's content top."""
    bars = []
    for row, (currency, amount) in enumerate(layer.spend.items()):
        most = top.get(currency) or Decimal(1)
        width = float(amount / most) * (SPEND_W - 10) if amount else 0.0
        colour = CURRENCY_COLOURS[currencies.index(currency) % len(CURRENCY_COLOURS)]
        bars.append(Bar(0.0, row * 36.0, max(width, 2.0), _whole(amount, currency), colour))
    return bars
