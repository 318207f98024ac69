"""The web process acks, workers answer: ack and reply latency with N workers, and CPU per
command, open loop (bench/README.md).

    uv run python -m bench.worker                       # SQLite; 1 and 2 workers; 20/s, 100/s
    uv run python -m bench.worker --workers 2 --rates 20 --seconds 5
    uv run python -m bench.worker --database postgresql://postgres@127.0.0.1:5432/test
    uv run python -m bench.worker --idle 10             # a worker's CPU while nothing comes
    uv run python -m bench.worker --workers 2 --rates 20 --seconds 10 --kill-every 2
                                                        # a worker SIGKILLed every 2 s, replaced

One `stackbot serve` (web only, `WEB_CONCURRENCY=2` x 8 threads) and N `stackbot worker`
processes on a fresh store, the fake Slack in a process of its own (`bench.load`); signed
slash commands leave at fixed times (bench.load.load: half `add` of a new tool, a quarter
`list`, a quarter `map`, one workspace, plus 2 forms a second). CPU is each process's own
accounting (utime + stime from /proc, the gunicorn workers included), read before and after
the load and the drain, so it is the CPU the commands cost, divided by the commands sent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.load import ROOT, Run, drain, fake_slack, fresh, load, start, stop, verdicts
from tests.bot.server import SECRET

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` and its live descendants."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or _descends(int(stat.parent.name), pid):
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def _descends(child: int, ancestor: int) -> bool:
    while child > 1:
        try:
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            return False
        child = int(stat.rsplit(")", 1)[1].split()[1])
        if child == ancestor:
            return True
    return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_worker(slack_url: str, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack_url, "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "cli.main", "worker"], env=env, cwd=ROOT)


def started(pid: int) -> float:
    """The process's CPU once it has started (its CPU stopped growing for a second)."""
    before = cpu_seconds(pid)
    while True:
        time.sleep(1)
        now = cpu_seconds(pid)
        if now - before < 0.05:
            return now
        before = now


def one(args: argparse.Namespace, workers: int, rate: int) -> dict[str, Any]:
    database = fresh(args)
    with fake_slack(0) as (slack_url, dump):
        server, url = start("stackbot", slack_url, database, worker=False)
        pool = [start_worker(slack_url, database) for _ in range(workers)]
        workers_before = sum(started(w.pid) for w in pool)
        run = Run(f"w{workers}-{rate}")
        web_before = cpu_seconds(server.pid)
        killed: list[subprocess.Popen[bytes]] = []
        done = threading.Event()
        killer = threading.Thread(
            target=_kill_now_and_then, args=(pool, killed, slack_url, database, args, done)
        )
        killer.start()
        try:
            load(url, slack_url, run, rate=rate, seconds=args.seconds, forms=True)
            done.set()
            killer.join()
            run.drained = drain(database)
            web_cpu = cpu_seconds(server.pid) - web_before
            worker_cpu = sum(cpu_seconds(w.pid) for w in pool) - workers_before
            worker_rss = max(rss_mb(w.pid) for w in pool)
            time.sleep(1)  # the last answers reach the fake Slack
        finally:
            for worker in pool:
                stop(worker)
            stop(server)
    [row] = verdicts([run], json.loads(dump.read_text()))
    commands = len(run.sent)
    requests = commands + len(run.forms)
    row.update(
        workers=workers,
        rate=rate,
        workers_killed=len(killed),
        web_cpu_ms_per_request=1000 * web_cpu / requests,
        worker_cpu_ms_per_command=1000 * worker_cpu / commands,
        worker_rss_mb=worker_rss,
    )
    return row


def _kill_now_and_then(
    pool: list[subprocess.Popen[bytes]], killed: list[subprocess.Popen[bytes]],
    slack_url: str, database: str, args: argparse.Namespace, done: threading.Event,
) -> None:  # fmt: skip
    """With --kill-every S: every S seconds of the load, SIGKILL the oldest worker and start a
    new one, as a host that loses processes would. Its command is swept and answered by another
    (after the 30 s lease), so `twice` counts the replies the duplicate window let through."""
    while args.kill_every and not done.wait(args.kill_every):
        victim = pool.pop(0)
        victim.kill()
        victim.wait()
        killed.append(victim)
        pool.append(start_worker(slack_url, database))


def idle(args: argparse.Namespace) -> None:
    """A worker's own CPU over `--idle` seconds with nothing queued."""
    database = fresh(args)
    with fake_slack(0) as (slack_url, _):
        worker = start_worker(slack_url, database)
        before = started(worker.pid)
        time.sleep(args.idle)
        spent = cpu_seconds(worker.pid) - before
        stop(worker)
    kind = "PostgreSQL" if args.database else "SQLite"
    print(json.dumps({"idle_worker": kind, "seconds": args.idle, "cpu_ms": round(1000 * spent)}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="a PostgreSQL URL; each run gets a fresh schema")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--rates", default="20,100", help="commands per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--idle", type=float, help="measure an idle worker for this long instead")
    parser.add_argument(
        "--kill-every", type=float, help="SIGKILL a worker every so many seconds (and replace it)"
    )
    args = parser.parse_args()
    if args.idle:
        idle(args)
        return 0
    for workers in (int(n) for n in args.workers.split(",")):
        for rate in (int(r) for r in args.rates.split(",")):
            row = one(args, workers, rate)
            rounded = {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}
            print(json.dumps(rounded), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
