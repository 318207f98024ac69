"""Spend per layer and currency as a bar chart: where each bar goes. Pure layout.

One panel per currency (currencies are never converted, so their bars are never compared), a
row per layer from governance at the top down to compute, as on the map. Once bills are
imported, a panel per currency follows with a bar per billed month, oldest first. templates/
spend_chart.svg.j2 draws it.
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

from core.money import format_amount
from core.stack import StackMap
from core.text_width import fit

WIDTH = 780
MARGIN = 20
TITLE_H = 60
PANEL_HEAD = 40
ROW = 34
LABEL_W = 290
BAR_X = MARGIN + LABEL_W
BAR_MAX = 280
LABEL_SIZE = 16
COLOURS = (
    "#1F4E79", "#2E8B57", "#7B3F99", "#8B5A2B", "#B03A48", "#2B7A8B", "#6B6B1F", "#C0662B",
)  # fmt: skip
PANEL_GAP = 20
MONTHS_HEAD = 20  # room for the rule between spend per layer and the billed months

MonthTotals = Mapping[str, Sequence[tuple[date, Decimal]]]


@dataclass(frozen=True, slots=True)
class Row:
    y: float
    label: str  # "2 · Inference and serving", cut to fit
    w: float  # the bar's length; 0 for a layer with no spend in this currency
    amount: str  # "$1,500", "" with no spend
    share: int  # percent of the currency's total


@dataclass(frozen=True, slots=True)
class Panel:
    currency: str
    total: str  # "$56,067"
    y: float
    colour: str
    rows: tuple[Row, ...]  # the layers with spend in this currency, governance first
    # The layers with none in it, named in the panel's heading rather than drawn as empty rows.
    without: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MonthBar:
    y: float
    month: date  # the template words it: "Oct 2026"
    w: float  # the bar's length, against the dearest month in this currency
    amount: str  # "$6,200"


@dataclass(frozen=True, slots=True)
class MonthPanel:
    currency: str
    y: float
    colour: str
    bars: tuple[MonthBar, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    panels: tuple[Panel, ...]
    bar_x: float
    months_y: float = 0.0  # where the "Billed per month" heading goes
    months: tuple[MonthPanel, ...] = ()


def spend_chart(summary: StackMap, billed: MonthTotals | None = None) -> Chart:
    """`billed`: per currency, (month, billed total) oldest first; none or empty before bills."""
    panels, y = _layer_panels(summary)
    months_y = y if panels else y + 30  # below the line saying no tool has a cost
    colours = {panel.currency: panel.colour for panel in panels}
    months = _month_panels(billed or {}, months_y + MONTHS_HEAD, colours)
    if months:
        y = months[-1].y + PANEL_HEAD + len(months[-1].bars) * ROW + PANEL_GAP
    height = max(y, months_y) + MARGIN
    return Chart(
        width=WIDTH,
        height=int(height),
        panels=panels,
        bar_x=BAR_X,
        months_y=months_y,
        months=months,
    )


def _layer_panels(summary: StackMap) -> tuple[tuple[Panel, ...], float]:
    """The panels of spend per layer, and where the next thing goes."""
    panels = []
    y = float(MARGIN + TITLE_H)
    for index, (currency, total) in enumerate(summary.spend.items()):
        amounts = {s.layer.number: s.spend.get(currency, Decimal(0)) for s in summary.layers}
        top = max(amounts.values()) or Decimal(1)
        rows = []
        spent = [s for s in reversed(summary.layers) if amounts[s.layer.number]]
        for row, layer in enumerate(spent):
            amount = amounts[layer.layer.number]
            rows.append(
                Row(
                    y=y + PANEL_HEAD + row * ROW,
                    label=fit(
                        f"{layer.layer.number} · {layer.layer.title}", LABEL_W - 12, LABEL_SIZE
                    ),
                    w=float(amount / top) * BAR_MAX,
                    amount=_whole(amount, currency),
                    share=int((amount * 100 / total).to_integral_value()) if total else 0,
                )
            )
        panels.append(
            Panel(
                currency=currency,
                total=_whole(total, currency),
                y=y,
                colour=currency_colour(index),
                rows=tuple(rows),
                without=tuple(
                    s.layer.number for s in summary.layers if not amounts[s.layer.number]
                ),
            )
        )
        y += PANEL_HEAD + len(rows) * ROW + PANEL_GAP
    return tuple(panels), y


def _month_panels(
    billed: MonthTotals, y: float, colours: Mapping[str, str]
) -> tuple[MonthPanel, ...]:
    """A panel per currency with a bill, in that currency's colour above (a currency only
    billed takes the next colour free)."""
    panels = []
    # in the order of the panels above, then any currency only a bill has
    order = [c for c in colours if c in billed] + [c for c in billed if c not in colours]
    extra = (currency_colour(index) for index in count(len(colours)))
    for currency in (c for c in order if billed[c]):
        months = billed[currency]
        top = max((amount for _, amount in months), default=Decimal(0))
        bars = tuple(
            MonthBar(
                y=y + PANEL_HEAD + row * ROW,
                month=month,
                w=float(amount / top) * BAR_MAX if top > 0 and amount > 0 else 0.0,
                amount=_whole(amount, currency),
            )
            for row, (month, amount) in enumerate(months)
        )
        colour = colours.get(currency) or next(extra)
        panels.append(MonthPanel(currency=currency, y=y, colour=colour, bars=bars))
        y += PANEL_HEAD + len(bars) * ROW + PANEL_GAP
    return tuple(panels)


def currency_colour(index: int) -> str:
    """The `index`th currency's colour: the palette, then hues a golden angle apart, so no two
    currencies in one chart ever share a colour."""
    if index < len(COLOURS):
        return COLOURS[index]
    hue = (index * 0.381966) % 1.0
    red, green, blue = colorsys.hls_to_rgb(hue, 0.38, 0.55)
    return "#{:02X}{:02X}{:02X}".format(*(round(c * 255) for c in (red, green, blue)))


def _whole(amount: Decimal, currency: str) -> str:
    return format_amount(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)
