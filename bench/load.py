"""`/stack` under HTTP load, next to an ack-only Bolt app: `uv run python -m bench.load [--quick]`.

Four `stackbot serve`-style servers run side by side, each its own process with the same
gunicorn settings (bot.serve.serve: gthread, WEB_CONCURRENCY=2 workers, the module's threads),
its own fresh SQLite file, and one FakeSlack (tests.fake_slack) in a process of its own for
Bolt's `auth.test` and stackbot's replies:

- ack-only: a Bolt App whose `/stack` listener only calls ack(), behind the same WSGI wrapper;
- stackbot as `stackbot serve` runs it (bot.serve.web_app): the work in a child process;
- stackbot with the work on Bolt's lazy-listener threads instead, with
  process_before_response=True and with False: the design before, and the measurement behind
  bot.app.PROCESS_BEFORE_RESPONSE.

The parent sends signed slash commands to POST /slack/events on 127.0.0.1 from a pool of threads
(keep-alive, one connection each), half `/stack add Tool-<n> inference cost:100/mo` (every add a
new tool, so a real insert) and half `/stack list`. Each (concurrency, variant) cell runs in
rounds whose variant order alternates (A B C D, then D C B A), so slow drift on the machine falls
on every variant alike. A per-kind table splits the adds from the lists.

The goals, for stackbot as it ships: `/stack` p50 within 1.5x and p99 within 2x of the ack-only
baseline at each concurrency, p99 under Slack's 3 s, no errors. Exit code 1 if one fails, 2 if
the run hit its hard timeout or a server would not start.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple
from urllib.parse import urlencode

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from wsgiref.types import WSGIApplication

ROOT = Path(__file__).parents[1]
HOST = "127.0.0.1"
TOKEN = "xoxb-test"
USER = "U0BENCH"
WEB_CONCURRENCY = 2
CONCURRENCY = (4, 16)
FULL_REQUESTS = 1_000  # per (variant, concurrency) cell
QUICK_REQUESTS = 200
ROUNDS = 4  # each cell is split into rounds, variant order alternating
WARMUP_REQUESTS = 64  # per variant, at the highest concurrency, not measured
FULL_TIMEOUT_S = 600.0  # the whole run, start to finish
QUICK_TIMEOUT_S = 240.0
START_TIMEOUT_S = 60.0  # for one server to answer GET /healthz
REQUEST_TIMEOUT_S = 15.0  # socket timeout for one request
SLACK_LIMIT_MS = 3_000.0
P50_GOAL, P99_GOAL = 1.5, 2.0

ACK_ONLY = "ack-only"
SHIPPED = "stackbot"
PBR_TRUE = "threads-pbr-true"
PBR_FALSE = "threads-pbr-false"
VARIANTS = (ACK_ONLY, SHIPPED, PBR_TRUE, PBR_FALSE)
STACKBOT = VARIANTS[1:]
LABELS = {
    ACK_ONLY: "ack-only Bolt app",
    SHIPPED: "stackbot (work in a child process)",
    PBR_TRUE: "stackbot, work on threads, process_before_response=True",
    PBR_FALSE: "stackbot, work on threads, process_before_response=False",
}


# The server side: runs in the child process (`python -m bench.load --serve-variant ...`)


def _serve(variant: str) -> None:
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.app import create_app
    from bot.serve import serve, web_app, wsgi_app
    from core.settings import Settings
    from db import open_store

    settings = Settings.from_environ(os.environ)

    def ack_only_app() -> App:
        client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        app = App(
            signing_secret=settings.slack_signing_secret or "",
            client=client,
            process_before_response=True,
        )

        def stack_command(ack: Ack) -> None:
            ack()

        app.command("/stack")(stack_command)
        return app

    def load() -> WSGIApplication:  # runs in each gunicorn worker, after the fork
        engine = open_store(settings.database_url)
        if variant == ACK_ONLY:
            app = ack_only_app()
        elif variant == SHIPPED:
            app = web_app(settings, engine)
        else:
            app = create_app(settings, engine, process_before_response=variant == PBR_TRUE)
        return wsgi_app(settings, engine, app=app)

    serve(settings, load=load)


# The parent: servers as processes


@dataclass
class ServerProcess:
    variant: str
    port: int
    database: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @classmethod
    def start(cls, variant: str, workdir: Path, slack_url: str, secret: str) -> ServerProcess:
        from tests.bot.server import free_port

        port = free_port()
        database = workdir / f"{variant}.db"
        log_path = workdir / f"{variant}.log"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
            "DATABASE_URL": f"sqlite:///{database}",
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": slack_url,
            "HOST": HOST,
            "PORT": str(port),
            "WEB_CONCURRENCY": str(WEB_CONCURRENCY),
            "PYTHONPATH": str(ROOT),
        }
        log = log_path.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.load", "--serve-variant", variant],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers go with it
        )
        return cls(variant, port, database, log_path, process, log)

    def wait_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.variant} server exited:\n{self.log_tail()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise RuntimeError(f"{self.variant} server did not become healthy:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's master stops its workers gracefully
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we started
                self.process.wait()
        self.log.close()

    def kill(self) -> None:
        """For the watchdog: no waiting."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def tools_in_store(self) -> int:
        with sqlite3.connect(self.database) as connection:
            (count,) = connection.execute("SELECT count(*) FROM tool").fetchone()
        return int(count)


# The parent: load


class Sample(NamedTuple):
    ms: float
    ok: bool
    is_add: bool


@dataclass
class Cell:
    variant: str
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # what the errors were
    complete: bool = True
    # stackbot only: when each request was sent (by its response_url hook), and how long until
    # its reply reached Slack: what the person waits for.
    pending: dict[str, tuple[float, bool]] = field(default_factory=dict)
    reply_ms: list[float] = field(default_factory=list)

    def reply_percentile(self, p: int) -> float:
        times = sorted(self.reply_ms)
        if len(times) < 2:
            return times[0] if times else float("nan")
        return statistics.quantiles(times, n=100, method="inclusive")[p - 1]

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int, *, adds: bool | None = None) -> float:
        """The p-th percentile in ms, of all requests or of only the adds (or lists)."""
        times = sorted(s.ms for s in self.samples if adds is None or s.is_add == adds)
        if len(times) < 2:
            return times[0] if times else float("nan")
        return statistics.quantiles(times, n=100, method="inclusive")[p - 1]

    @property
    def over_limit(self) -> int:
        """Answers slower than Slack's 3 s: Slack shows the person an error instead."""
        return sum(s.ms >= SLACK_LIMIT_MS for s in self.samples)

    @property
    def max_ms(self) -> float:
        return max((s.ms for s in self.samples), default=float("nan"))


class Load:
    """Signed `/stack add` and `/stack list` requests; one counter per server, so every add
    names a new tool."""

    def __init__(self, team: str, secret: str, reply_url: str) -> None:
        self.team = team
        self.secret = secret
        self.reply_url = reply_url  # the fake Slack: replies to response_url arrive there
        self._serial: dict[int, itertools.count[int]] = {}
        self._hooks = itertools.count(1)
        self._lock = threading.Lock()

    def body(self, port: int, index: int) -> tuple[bytes, bool, str]:
        """The form body for request `index`, and whether it is an add."""
        is_add = index % 2 == 0
        with self._lock:
            hook = f"response/{next(self._hooks)}"
        if is_add:
            with self._lock:
                serial = next(self._serial.setdefault(port, itertools.count(1)))
            text = f"add Tool-{serial} inference cost:100/mo"
        else:
            text = "list"
        fields = {
            "token": "legacy", "team_id": self.team, "team_domain": "acme",
            "channel_id": "C0CHAN", "channel_name": "ai-infra", "user_id": USER,
            "user_name": USER.lower(), "command": "/stack", "text": text,
            "api_app_id": "A0APP", "response_url": self.reply_url + hook,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
        }  # fmt: skip
        return urlencode(fields).encode(), is_add, hook

    def adds_sent(self, port: int) -> int:
        with self._lock:
            counter = self._serial.get(port)
            return next(counter) - 1 if counter is not None else 0


def _failure(variant: str, status: int, payload: bytes, is_add: bool) -> str | None:
    """None for the answer expected, else a short description of what came back."""
    seen = f"HTTP {status}: {payload[:80].decode(errors='replace')!r}"
    if status != 200:
        return seen
    # stackbot acks with nothing and replies through response_url: the reply is checked by
    # collect_replies, from what reached the fake Slack.
    return None if not payload.strip() else f"HTTP 200 with a body: {seen}"


def reply_failure(text: str, is_add: bool) -> str | None:
    expected = "Added " if is_add else "All tools"
    return None if text.startswith(expected) else f"reply not {expected!r}: {text[:80]!r}"


def run_cell(
    server: ServerProcess,
    load: Load,
    *,
    concurrency: int,
    requests: int,
    deadline: float,
    cell: Cell,
) -> None:
    """Sends `requests` requests from `concurrency` threads; adds the samples to `cell`."""
    from tests.bot.server import sign

    indices = itertools.count()
    lock = threading.Lock()
    results: list[Sample] = []
    failures: Counter[str] = Counter()
    retries = [0]
    stopped = threading.Event()

    def send(connection: http.client.HTTPConnection, body: bytes) -> tuple[int, bytes]:
        headers = {
            **sign(body, secret=load.secret),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT_S)
        mine: list[Sample] = []
        failed: Counter[str] = Counter()
        try:
            while True:
                with lock:
                    index = next(indices)
                if index >= requests:
                    break
                if time.monotonic() > deadline:
                    stopped.set()
                    break
                body, is_add, hook = load.body(server.port, index)
                if server.variant != ACK_ONLY:
                    with lock:
                        cell.pending[hook] = (time.monotonic(), is_add)
                started = time.perf_counter()
                try:
                    try:
                        status, payload = send(connection, body)
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                        # The server closed a kept-alive connection before reading this request;
                        # it never ran, so send it once more on a new connection.
                        connection.close()
                        with lock:
                            retries[0] += 1
                        status, payload = send(connection, body)
                    failure = _failure(server.variant, status, payload, is_add)
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    failure = f"{type(error).__name__}: {error}"
                mine.append(Sample((time.perf_counter() - started) * 1000, not failure, is_add))
                if failure:
                    failed[failure] += 1
        finally:
            connection.close()
            with lock:
                results.extend(mine)
                failures.update(failed)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT_S + 5)
    cell.seconds += time.perf_counter() - started
    cell.samples.extend(results)
    cell.retries += retries[0]
    cell.failures.update(failures)
    if stopped.is_set() or any(thread.is_alive() for thread in threads):
        cell.complete = False


class SlackProcess:
    """The fake Slack in a process of its own. The replies stackbot sends to `response_url`
    reach it as they would reach Slack: not the load generator's process, whose client threads
    would otherwise share one interpreter lock with the fake's server threads, and be slowed by
    stackbot's replies while they time stackbot's acks."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_slack_process, args=(child,), daemon=True)
        self._process.start()
        if not self._pipe.poll(START_TIMEOUT_S):
            self._process.kill()
            raise RuntimeError("the fake Slack process did not start")
        self.url, self.team_id = self._pipe.recv()

    def replies(self, hooks: list[str], *, timeout: float) -> dict[str, tuple[float, str]]:
        """For each of `hooks` that arrives within `timeout`: when (time.monotonic(), one clock
        for every process on the machine) and the reply's text."""
        self._pipe.send((hooks, timeout))
        arrived: dict[str, tuple[float, str]] = self._pipe.recv()
        return arrived

    def close(self) -> None:
        self._pipe.send(None)
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def _slack_process(pipe: Connection) -> None:
    from tests.fake_slack import FakeSlack

    with FakeSlack() as fake:
        pipe.send((fake.url, fake.team_id))
        while (request := pipe.recv()) is not None:
            hooks, timeout = request
            deadline = time.monotonic() + timeout
            wanted = set(hooks)
            while True:  # replies come in any order: wait for one still missing, then look again
                arrived = {call.method: call for call in fake.calls if call.method in wanted}
                missing = wanted - arrived.keys()
                if not missing or time.monotonic() >= deadline:
                    break
                try:
                    fake.wait_for(min(missing), timeout=max(0.0, deadline - time.monotonic()))
                except AssertionError:
                    break
            pipe.send({m: (c.at, str(c.params.get("text", ""))) for m, c in arrived.items()})


def collect_replies(cell: Cell, slack: SlackProcess, deadline: float) -> None:
    """Wait for every reply the cell's requests should have sent, and time each one from its
    request being sent."""
    if not cell.pending:
        return
    arrived = slack.replies(list(cell.pending), timeout=max(1.0, deadline - time.monotonic()))
    if len(arrived) < len(cell.pending):
        cell.complete = False
    for hook, (sent, is_add) in cell.pending.items():
        if hook not in arrived:
            cell.failures["no reply through response_url"] += 1
            continue
        at, text = arrived[hook]
        cell.reply_ms.append((at - sent) * 1000)
        failure = reply_failure(text, is_add)
        if failure:
            cell.failures[failure] += 1
    cell.pending.clear()


# Report


@dataclass
class Verdict:
    lines: list[str]
    passed: bool


def table(cells: Sequence[Cell]) -> str:
    rows = [
        "| variant | concurrency | requests | errors | ≥ 3 s | req/s | p50 ms | p90 ms | p99 ms "
        "| max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        rows.append(
            f"| {LABELS[c.variant]} | {c.concurrency} | {c.requests} | {c.errors} | "
            f"{c.over_limit} | {c.rate:.0f} | {c.percentile(50):.1f} | {c.percentile(90):.1f} | "
            f"{c.percentile(99):.1f} | {c.max_ms:.1f} |"
        )
    return "\n".join(rows)


def table_by_kind(cells: Sequence[Cell]) -> str:
    rows = [
        "| variant | concurrency | add p50 ms | add p99 ms | list p50 ms | list p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        figures = " | ".join(
            f"{c.percentile(p, adds=adds):.1f}" for adds in (True, False) for p in (50, 99)
        )
        rows.append(f"| {LABELS[c.variant]} | {c.concurrency} | {figures} |")
    return "\n".join(rows)


def table_replies(cells: Sequence[Cell]) -> str:
    rows = [
        "| variant | concurrency | replies | reply p50 ms | reply p90 ms | reply p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        if c.variant == ACK_ONLY:
            continue
        rows.append(
            f"| {LABELS[c.variant]} | {c.concurrency} | {len(c.reply_ms)} | "
            f"{c.reply_percentile(50):.1f} | {c.reply_percentile(90):.1f} | "
            f"{c.reply_percentile(99):.1f} | {max(c.reply_ms, default=float('nan')):.1f} |"
        )
    return "\n".join(rows)


def verdict(cells: Sequence[Cell], shipped_pbr: bool) -> Verdict:
    by_key = {(c.variant, c.concurrency): c for c in cells}
    concurrencies = sorted({c.concurrency for c in cells})
    lines = [
        "| variant | concurrency | p50 ratio | p99 ratio | p50 ≤ 1.5x | p99 ≤ 2x | p99 < 3 s |",
        "|---|---:|---:|---:|:-:|:-:|:-:|",
    ]
    passed = all(c.errors == 0 and not c.failures and c.complete for c in cells)
    for variant in STACKBOT:
        for n in concurrencies:
            base, cell = by_key[(ACK_ONLY, n)], by_key[(variant, n)]
            p50 = cell.percentile(50) / base.percentile(50)
            p99 = cell.percentile(99) / base.percentile(99)
            checks = (p50 <= P50_GOAL, p99 <= P99_GOAL, cell.percentile(99) < SLACK_LIMIT_MS)
            if variant == SHIPPED and not all(checks):
                passed = False
            marks = " | ".join("yes" if check else "**no**" for check in checks)
            lines.append(f"| {LABELS[variant]} | {n} | {p50:.2f}x | {p99:.2f}x | {marks} |")
    lines.append("")
    for n in concurrencies:
        true, false = by_key[(PBR_TRUE, n)], by_key[(PBR_FALSE, n)]
        d50 = false.percentile(50) - true.percentile(50)
        d99 = false.percentile(99) - true.percentile(99)
        lines.append(
            f"- concurrency {n}, work on threads: process_before_response=False minus True: "
            f"p50 {d50:+.1f} ms, p99 {d99:+.1f} ms, "
            f"req/s {false.rate - true.rate:+.0f}"
        )
    faster_p50 = {
        n: by_key[(PBR_TRUE, n)].percentile(50) <= by_key[(PBR_FALSE, n)].percentile(50)
        for n in concurrencies
    }
    if all(faster_p50.values()):
        faster = "process_before_response=True has the lower p50 at every concurrency"
    elif not any(faster_p50.values()):
        faster = "process_before_response=False has the lower p50 at every concurrency"
    else:
        faster = "neither process_before_response value has the lower p50 at every concurrency"
    lines.append(f"- {faster}; stackbot ships {shipped_pbr} (bot.app.PROCESS_BEFORE_RESPONSE).")
    lines.append(f"- The goals, for {LABELS[SHIPPED]}: {'all hold' if passed else 'NOT MET'}.")
    return Verdict(lines, passed)


def machine() -> str:
    memory = "?"
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), {memory} RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


# Main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--requests", type=int, help="requests per (variant, concurrency) cell")
    parser.add_argument("--concurrency", type=int, nargs="+", default=list(CONCURRENCY))
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    parser.add_argument(
        "--background",
        type=int,
        default=0,
        metavar="N",
        help="N processes spinning at the work process's idle CPU priority for the whole run",
    )
    parser.add_argument("--serve-variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_variant:
        _serve(args.serve_variant)
        return 0

    from bot.app import PROCESS_BEFORE_RESPONSE
    from tests.bot.server import SECRET

    requests = args.requests or (QUICK_REQUESTS if args.quick else FULL_REQUESTS)
    timeout = args.timeout or (QUICK_TIMEOUT_S if args.quick else FULL_TIMEOUT_S)
    concurrencies: list[int] = sorted(set(args.concurrency))
    deadline = time.monotonic() + timeout
    servers: list[ServerProcess] = []
    watchdog = _watchdog(timeout + 30, servers)  # if the deadline checks themselves hang

    print(f"# bench.load: {requests} requests per cell, concurrency {concurrencies}")
    print(f"machine: {machine()}")
    if args.background:
        print(f"background: {args.background} processes spinning at idle CPU priority")
    spinning: list[subprocess.Popen[bytes]] = []
    try:
        spinning = [spin() for _ in range(args.background)]
        fake = SlackProcess()
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            load = Load(team=fake.team_id, secret=SECRET, reply_url=fake.url)
            try:
                for variant in VARIANTS:
                    servers.append(ServerProcess.start(variant, Path(tmp), fake.url, SECRET))
                start_by = min(deadline, time.monotonic() + START_TIMEOUT_S)
                for server in servers:
                    server.wait_healthy(start_by)
                for server in servers:  # warm-up: every thread of every worker, not measured
                    warm = Cell(server.variant, max(concurrencies))
                    run_cell(
                        server, load, concurrency=max(concurrencies),
                        requests=WARMUP_REQUESTS, deadline=deadline, cell=warm,
                    )  # fmt: skip
                    collect_replies(warm, fake, deadline)
                    if warm.errors:
                        print(f"warm-up: {warm.errors} errors from {server.variant}")
                cells = {(s.variant, n): Cell(s.variant, n) for s in servers for n in concurrencies}
                for n in concurrencies:
                    for round_ in range(ROUNDS):
                        order = servers if round_ % 2 == 0 else servers[::-1]
                        share = requests // ROUNDS + (round_ < requests % ROUNDS)
                        for server in order:
                            run_cell(
                                server, load, concurrency=n, requests=share,
                                deadline=deadline, cell=cells[(server.variant, n)],
                            )  # fmt: skip
                            collect_replies(cells[(server.variant, n)], fake, deadline)
                    done = ", ".join(
                        f"{v} p50 {cells[(v, n)].percentile(50):.1f} ms" for v in VARIANTS
                    )
                    print(f"concurrency {n} done: {done}", flush=True)
            finally:
                for server in servers:
                    server.stop()
                fake.close()
            stored = {s.variant: (s.tools_in_store(), load.adds_sent(s.port)) for s in servers}
    except RuntimeError as error:
        print(f"bench.load: {error}", file=sys.stderr)
        return 2
    finally:
        watchdog.cancel()
        for process in spinning:
            process.kill()
            process.wait()

    ordered = [cells[(v, n)] for v in VARIANTS for n in concurrencies]
    print()
    print(table(ordered))
    print()
    print(table_by_kind(ordered))
    print()
    print(table_replies(ordered))
    print()
    result = verdict(ordered, PROCESS_BEFORE_RESPONSE)
    print("\n".join(result.lines))
    for variant in STACKBOT:
        tools, adds = stored[variant]
        print(f"- {LABELS[variant]}: {adds} adds sent (warm-up included), {tools} tools stored")
        if tools != adds:
            result.passed = False
    for c in ordered:
        for what, times in c.failures.most_common():
            print(f"- error in {LABELS[c.variant]} at concurrency {c.concurrency}: {times}x {what}")
    retries = sum(c.retries for c in ordered)
    if retries:
        print(f"- {retries} requests were resent after the server closed a kept-alive connection")
    if any(not c.complete for c in ordered):
        print("bench.load: the run hit its hard timeout; the cells are incomplete", file=sys.stderr)
        return 2
    return 0 if result.passed else 1


def spin() -> subprocess.Popen[bytes]:
    """CPU work with nothing to wait for, at the priority bot.work gives its child: to see what
    background work alone does to every variant's tail."""
    program = "from bot.work import lower_priority\nlower_priority()\nwhile True:\n    pass\n"
    return subprocess.Popen(
        [sys.executable, "-c", program], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )


def _watchdog(seconds: float, servers: list[ServerProcess]) -> threading.Timer:
    def fire() -> None:
        print(f"bench.load: still running after {seconds:.0f} s; stopping", file=sys.stderr)
        for server in servers:
            server.kill()
        os._exit(2)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


if __name__ == "__main__":
    sys.exit(main())
