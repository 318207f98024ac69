"""CPU per `/stack` command, as a worker runs it: `uv run python -m bench.commands`.

For stacks of 30, 300 and 1,000 tools (catalog tools with a fixed seed, names made unique, 80%
with a cost, 8% without an owner, a tenth with a review due soon or overdue) in a fresh SQLite
file, each of `add` (a new tool each time), `list` and `map` is run through
`stack.run.run_command` with the Context a worker builds (Slack asked first), and timed in CPU
seconds of this process (`time.process_time`): the median of `--runs` runs.

    uv run python -m bench.commands                 # 30, 300 and 1,000 tools
    uv run python -m bench.commands --profile 300   # cProfile of the mix at 300 tools

`--profile N` runs the mix (50% add of a new tool, 30% list, 20% map) 200 times at N tools under
cProfile and prints the functions that took the most time, with what they called.

Budget (issue 20), at 300 tools: add and list under 5 ms, map under 15 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from core.catalog import load_catalog
from core.text import normalise
from db import open_store
from db.engine import session_scope
from db.tools import add_tool, ensure_workspace
from stack import Context, run_command

TEAM = "TBENCH"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SIZES = (30, 300, 1_000)
_NAMES = itertools.count(1)


def seed(engine: Engine, tools: int, *, seed: int = 20) -> None:
    rng = random.Random(seed)
    entries = load_catalog().entries
    with session_scope(engine) as session:
        workspace = ensure_workspace(session=session, team_id=TEAM, now=NOW, zone="UTC")
        assert workspace.id is not None
        for n in range(tools):
            entry = rng.choice(entries)
            name = f"{entry.name} #{n}"
            costed = rng.random() < 0.8
            due = (NOW + timedelta(days=rng.randrange(30, 365))).date()
            if rng.random() < 0.1:
                due = NOW.date() + timedelta(days=rng.randrange(-45, 30))
            values: dict[str, Any] = {
                "name": name,
                "name_key": normalise(name),
                "catalog_key": entry.key,
                "layers": list(entry.layers),
                "capabilities": list(entry.capabilities),
                "vendor": entry.vendor,
                "sourcing": entry.sourcing,
                "cost_cents": rng.randrange(1_000, 500_000) if costed else None,
                "cost_currency": ("EUR" if rng.random() < 0.15 else "USD") if costed else None,
                "cost_period": rng.choice(("month", "year")) if costed else None,
                "owner_id": None if rng.random() < 0.08 else f"U{rng.randrange(200):04d}",
                "next_review_on": due,
                "review_cycle_start": NOW - timedelta(days=200),
            }
            add_tool(session=session, workspace_id=workspace.id, values=values,
                     actor="UBENCH", now=NOW)  # fmt: skip


def stack_of(tools: int) -> Engine:
    engine = open_store(f"sqlite:///{tempfile.mkdtemp()}/stack.db")
    seed(engine, tools)
    return engine


def command(engine: Engine, text: str) -> None:
    context = Context(team_id=TEAM, user_id="UBENCH", now=NOW, channel_id="C1", zone="UTC")
    reply = run_command(engine, context, text)
    assert reply.ok, reply.message["text"]


def kinds() -> dict[str, Callable[[], str]]:
    return {
        "add": lambda: f"add Bench-tool-{next(_NAMES)} inference",
        "list": lambda: "list",
        "map": lambda: "map",
    }


def cpu_ms(engine: Engine, text: Callable[[], str], runs: int) -> float:
    spent = []
    for _ in range(runs):
        words = text()
        began = time.process_time()
        command(engine, words)
        spent.append(time.process_time() - began)
    return 1000 * statistics.median(spent)


def mix(engine: Engine, count: int) -> None:
    texts = kinds()
    for n in range(count):
        slot = n % 10
        kind = "add" if slot < 5 else ("list" if slot < 8 else "map")
        command(engine, texts[kind]())


def profile(tools: int, count: int = 200) -> None:
    engine = stack_of(tools)
    mix(engine, 20)  # warm: templates compiled, catalog read
    profiler = cProfile.Profile(time.process_time)
    began = time.process_time()
    profiler.runcall(mix, engine, count)
    spent = time.process_time() - began
    print(f"{count} commands of the mix at {tools} tools: {1000 * spent / count:.2f} ms CPU each")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", type=int, metavar="TOOLS")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    print("| tools | add ms | list ms | map ms |")
    print("|---:|---:|---:|---:|")
    for size in SIZES:
        engine = stack_of(size)
        texts = kinds()
        for text in texts.values():  # warm
            command(engine, text())
        row = [cpu_ms(engine, texts[k], args.runs) for k in ("add", "list", "map")]
        print(f"| {size:,} | " + " | ".join(f"{ms:.1f}" for ms in row) + " |", flush=True)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
