"""Spend per layer and currency as a bar chart: where each bar goes. Pure layout.

One panel per currency (currencies are never converted, so their bars are never compared), a
row per layer from governance at the top down to compute, as on the map. templates/
spend_chart.svg.j2 draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
COLOURS = ("#1F4E79", "#2E8B57", "#7B3F99", "#8B5A2B")


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
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    panels: tuple[Panel, ...]
    bar_x: float


def spend_chart(summary: StackMap) -> Chart:
    panels = []
    y = float(MARGIN + TITLE_H)
    for index, (currency, total) in enumerate(summary.spend.items()):
        amounts = {s.layer.number: s.spend.get(currency, Decimal(0)) for s in summary.layers}
        top = max(amounts.values()) or Decimal(1)
        rows = []
        for row, layer in enumerate(reversed(summary.layers)):
            amount = amounts[layer.layer.number]
            rows.append(
                Row(
                    y=y + PANEL_HEAD + row * ROW,
                    label=fit(
                        f"{layer.layer.number} · {layer.layer.title}", LABEL_W - 12, LABEL_SIZE
                    ),
                    w=float(amount / top) * BAR_MAX if amount else 0.0,
                    amount=_whole(amount, currency) if amount else "",
                    share=int((amount * 100 / total).to_integral_value()) if total else 0,
                )
            )
        panels.append(
            Panel(
                currency=currency,
                total=_whole(total, currency),
                y=y,
                colour=COLOURS[index % len(COLOURS)],
                rows=tuple(rows),
            )
        )
        y += PANEL_HEAD + len(rows) * ROW + 20
    height = y + (30 if not panels else 0) + MARGIN
    return Chart(width=WIDTH, height=int(height), panels=tuple(panels), bar_x=BAR_X)


def _whole(amount: Decimal, currency: str) -> str:
    return format_amount(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)
