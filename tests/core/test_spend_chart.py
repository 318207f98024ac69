"""The spend chart's layout: spend per layer, and once bills are imported, a bar per month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.spend_chart import BAR_MAX, spend_chart
from core.stack import StackMap, stack_map
from tests.core.analysis.helpers import tool_in as tool

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


def summary() -> StackMap:
    return stack_map([tool(1, "A", [1], cost=900), tool(2, "B", [2], cost=100, currency="EUR")])


def test_without_bills_the_chart_has_no_months_and_is_as_before() -> None:
    plain = spend_chart(summary())
    assert plain.months == ()
    assert spend_chart(summary(), {}) == plain
    assert spend_chart(summary(), {"USD": []}) == plain
    assert [p.currency for p in plain.panels] == ["USD", "EUR"]


def test_each_month_is_a_bar_proportional_to_the_dearest_month_in_its_currency() -> None:
    billed = {
        "USD": [(AUG, Decimal("1000")), (SEP, Decimal("4000")), (OCT, Decimal("2000.40"))],
        "EUR": [(OCT, Decimal("300"))],
    }
    chart = spend_chart(summary(), dict(reversed(billed.items())))
    usd, eur = chart.months  # in the order of the layer panels, whatever the order given
    assert usd.currency == "USD"
    assert [b.month for b in usd.bars] == [AUG, SEP, OCT]  # oldest first, as given
    assert [b.w for b in usd.bars] == pytest.approx([BAR_MAX / 4, BAR_MAX, BAR_MAX / 2], 0.001)
    assert [b.amount for b in usd.bars] == ["$1,000", "$4,000", "$2,000"]
    # EUR is measured against itself, never against dollars
    assert eur.currency == "EUR"
    assert [(b.month, b.w, b.amount) for b in eur.bars] == [(OCT, BAR_MAX, "€300")]


def test_month_panels_sit_below_the_layer_panels_in_each_currencys_colour() -> None:
    billed = {c: [(OCT, Decimal(5))] for c in ("USD", "EUR", "GBP")}
    chart = spend_chart(summary(), billed)
    last_row = max(r.y for p in chart.panels for r in p.rows)
    usd, eur, gbp = chart.months
    assert chart.months_y > last_row
    assert usd.y < eur.y
    assert eur.y > chart.months_y
    assert gbp.y > max(b.y for b in eur.bars)
    assert chart.height > max(b.y for b in gbp.bars) + 30
    colours = {p.currency: p.colour for p in chart.panels}
    assert (usd.colour, eur.colour) == (colours["USD"], colours["EUR"])
    assert gbp.colour not in colours.values()


def test_a_zero_month_has_no_bar_and_a_stack_without_costs_still_shows_bills() -> None:
    chart = spend_chart(stack_map([]), {"USD": [(SEP, Decimal(0)), (OCT, Decimal(10))]})
    assert chart.panels == ()
    assert chart.months_y >= 110  # below "No tool has a cost yet"
    [usd] = chart.months
    assert [(b.w, b.amount) for b in usd.bars] == [(0.0, "$0"), (BAR_MAX, "$10")]


def test_a_currency_panel_draws_only_the_layers_it_pays_for() -> None:
    usd, eur = spend_chart(summary()).panels
    assert [r.label[:1] for r in usd.rows] == ["1"]
    assert [r.label[:1] for r in eur.rows] == ["2"]
    assert usd.without == (2, 3, 4, 5, 6, 7)
    assert all(r.amount for p in (usd, eur) for r in p.rows)  # no empty rows


def test_no_two_currencies_share_a_colour() -> None:
    codes = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "INR"]
    tools = [
        tool(i + 1, f"T{i}", [i % 7 + 1], cost=100 + i, currency=c) for i, c in enumerate(codes)
    ]
    billed = {c: [(OCT, Decimal(5))] for c in (*codes, "BRL", "MXN", "ZAR")}
    chart = spend_chart(stack_map(tools), billed)
    colours = [p.colour for p in chart.panels]
    assert len(set(colours)) == len(codes)
    months = {p.currency: p.colour for p in chart.months}
    assert len(set(months.values())) == len(months)  # the bill-only ones take new colours
    assert all(months[p.currency] == p.colour for p in chart.panels)
