"""The demo's headline saving, checked by hand from the tools it shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from cli.demo import run_demo

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_demos_headline_saving_is_the_sum_of_the_tools_it_names(tmp_path: Path) -> None:
    lines: list[str] = []
    run_demo(tmp_path / "demo.db", now=NOW, out=lines.append)
    text = " ".join(" ".join(lines).split())  # the terminal wraps lines; words are what count

    headline = re.search(
        r"Avoidable: \$([\d,.]+) of \$([\d,.]+)/mo, each tool counted once: (.*?): every", text
    )
    assert headline is not None, text[:500]
    total, bill = (Decimal(g.replace(",", "")) for g in headline.groups()[:2])
    named = re.findall(r"([^,]+?) (?:\$([\d,.]+)/mo|\(no cost\))(?:, |$)", headline[3])
    assert len(named) >= 2
    assert sum(Decimal(cost.replace(",", "")) for _, cost in named if cost) == total
    assert 0 < total < bill
    # Each named tool is told to go, with the same figure, where the findings are listed.
    for name, cost in named:
        if cost:
            assert re.search(rf"Keep [^:]*, drop {re.escape(name.strip())}\b", text), name
