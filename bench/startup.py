"""What `stackbot` costs to start, in CPU seconds (user + system, not wall time: this machine is
shared, and CPU time is what a busy machine cannot inflate much): `uv run python -m
bench.startup [--runs 5]`.

Each case runs `python -m cli.main` (what the `stackbot` script runs) as a child process
`--runs` times against a fresh SQLite store made once, from this source tree or the one
`--source` names (an export of an older commit, to compare: `git archive COMMIT | tar -x -C
DIR`), and reports the median and the largest of the children's CPU time
(resource.getrusage(RUSAGE_CHILDREN)). Whether the installed packages have bytecode compiled
(.pyc files) changes everything: without it, every start compiles what it imports from source,
so the figure is printed beside the results.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CASES: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("--version",),
    ("health", "clock"),
    ("cmd", "/stack list"),
    ("cmd", "/stack add vLLM inference"),
)


def cpu_seconds(argv: list[str], env: dict[str, str], cwd: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compiled() -> bool:
    """Whether sqlalchemy, the largest import, has bytecode beside its sources."""
    import sqlalchemy

    return any(Path(sqlalchemy.__file__).parent.glob("__pycache__/*.pyc"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=Path(__file__).parents[1])
    args = parser.parse_args()
    stackbot = [sys.executable, "-m", "cli.main"]
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "PYTHONPATH": str(args.source.resolve()),
        }
        # Run from the store's folder: `python -m` puts the working directory first on the path.
        subprocess.run(
            [*stackbot, "migrate"], env=env, cwd=folder, stdout=subprocess.DEVNULL, check=True
        )
        print(f"source: {args.source}; bytecode compiled: {'yes' if compiled() else 'no'}")
        print(f"{'command':34} {'median':>8} {'max':>8}  (CPU s)")
        for case in CASES:
            times = [cpu_seconds([*stackbot, *case], env, folder) for _ in range(args.runs)]
            shown = "stackbot " + " ".join(f"'{w}'" if " " in w else w for w in case)
            print(f"{shown:34} {statistics.median(times):8.2f} {max(times):8.2f}")


if __name__ == "__main__":
    main()
