"""How long the pictures take to draw, and the memory it costs: `uv run python -m bench.pictures`.

Four maps: an empty stack, the demo's stack (`stackbot demo`, 11 tools), and stacks of 100 and
300 tools drawn from the catalog by bench.analysis with its fixed seed, plus the demo's spend
chart. Each is timed in three steps: the layout (core.picture), the SVG (the Jinja template)
and the PNG (resvg, at the size `stack.pictures.to_png` picks). Each case runs in a fresh child
process, so the memory figure (the growth of the child's peak RSS over the drawing, which
includes what resvg allocates outside Python's heap) is that case's alone, and the first
drawing (fonts read from disk) is reported apart from the median of the next `--runs`. The PNG
is drawn in a child process (stack.rasterise), so its memory is the child's peak RSS, reported on
its own; and a last line measures how fast another thread of the parent runs during a drawing.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

CASES = ("empty", "demo", "catalog-100", "catalog-300", "demo-spend")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _drawers(case: str) -> tuple[Callable[[], Any], Callable[[Any], str]]:
    """What to lay out for `case`, and how its layout becomes SVG."""
    from core.analysis import analyse
    from core.picture import layout
    from core.spend_chart import spend_chart
    from core.stack import StackTool, stack_map
    from templates.svg import render_svg

    tools: list[StackTool]
    if case.startswith("demo"):
        tools = _demo_tools()
    elif case.startswith("catalog-"):
        from bench.analysis import build_stack

        tools = build_stack(int(case.split("-")[1]))
    else:
        tools = []
    if case.endswith("spend"):
        return (lambda: spend_chart(stack_map(tools))), (
            lambda chart: render_svg("spend_chart", chart=chart)
        )
    return (lambda: layout(stack_map(tools), analyse(tools, today=TODAY))), (
        lambda picture: render_svg("stack_map", picture=picture)
    )


def _demo_tools() -> list[Any]:
    from cli.demo import DEMO_TEAM, run_demo
    from db import open_store
    from db.engine import session_scope
    from db.tools import get_workspace
    from stack.loaded import workspace_tools

    path = Path(tempfile.mkdtemp()) / "demo.db"
    run_demo(path, now=NOW, out=lambda _: None)
    engine = open_store(f"sqlite:///{path}")
    try:
        with session_scope(engine, write=False) as session:
            workspace = get_workspace(session=session, team_id=DEMO_TEAM)
            assert workspace is not None
            return workspace_tools(session, workspace)
    finally:
        engine.dispose()


def run_case(case: str, runs: int) -> dict[str, Any]:
    from stack.pictures import to_png

    make, draw = _drawers(case)
    before = _maxrss_mb()
    first = time.perf_counter()
    png = to_png(draw(make()))
    first_ms = (time.perf_counter() - first) * 1000
    steps: dict[str, list[float]] = {"layout": [], "svg": [], "png": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        laid = make()
        t1 = time.perf_counter()
        svg = draw(laid)
        t2 = time.perf_counter()
        png = to_png(svg)
        t3 = time.perf_counter()
        for name, spent in zip(steps, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            spent_ms = spent * 1000
            steps[name].append(spent_ms)
    width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR
    return {
        "case": case,
        "first_ms": round(first_ms),
        **{f"{name}_ms": round(statistics.median(v), 1) for name, v in steps.items()},
        "total_ms": round(sum(statistics.median(v) for v in steps.values())),
        "svg_kb": round(len(svg) / 1024),
        "png_kb": round(len(png) / 1024),
        "pixels": f"{width}x{height}",
        "rss_growth_mb": round(_maxrss_mb() - before, 1),
        # stack.pictures draws in a child process: the largest of them, whole.
        "child_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def other_thread_speed(svg: str) -> tuple[float, float]:
    """How fast another Python thread runs while a picture is drawn, as a share of its speed
    idle: drawn in this process (resvg holds the interpreter lock), and in the child process
    stack.pictures uses."""
    import threading

    from stack.pictures import to_png
    from stack.rasterise import rasterise

    count, stop = [0], threading.Event()

    def spin() -> None:
        while not stop.is_set():
            count[0] += 1

    def rate(work: Callable[[], object]) -> float:
        start, began = count[0], time.perf_counter()
        work()
        return (count[0] - start) / (time.perf_counter() - began)

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    idle = rate(lambda: time.sleep(0.5))
    here = rate(lambda: rasterise(svg, 2.0))
    child = rate(lambda: to_png(svg))
    stop.set()
    thread.join()
    return here / idle, child / idle


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="run one case here (the parent's job)")
    parser.add_argument("--runs", type=int, default=5, help="timed drawings per case")
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.runs)))
        return 0
    print(f"{'case':12} {'first':>7} {'layout':>7} {'svg':>6} {'png':>7} {'total':>7} "
          f"{'svg':>6} {'png':>7} {'pixels':>10} {'rss+':>7} {'child':>7}")  # fmt: skip
    for case in CASES:
        out = subprocess.run(
            [sys.executable, "-m", "bench.pictures", "--case", case, "--runs", str(args.runs)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['case']:12} {r['first_ms']:>5}ms {r['layout_ms']:>5}ms {r['svg_ms']:>4}ms "
            f"{r['png_ms']:>5}ms {r['total_ms']:>5}ms {r['svg_kb']:>4}KB {r['png_kb']:>5}KB "
            f"{r['pixels']:>10} {r['rss_growth_mb']:>5}MB {r['child_rss_mb']:>5}MB"
        )
    make, draw = _drawers("demo")
    here, child = other_thread_speed(draw(make()))
    print(f"another thread's speed while the demo map is drawn: {here:.0%} of idle in this "
          f"process, {child:.0%} with the drawing in a child process")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
