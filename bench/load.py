"""Open-loop load on `stackbot serve`: signed slash commands at a fixed arrival rate, beside an
ack-only Bolt app under the same server settings, in the same run (bench/README.md).

    uv run python -m bench.load            # --quick: shorter runs; --database URL: PostgreSQL
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.bot.server import SECRET, free_port, sign

ROOT = Path(__file__).parents[1]
TEAM = "T0TEAM"  # the fake Slack's workspace, which the token serves
both = ("stackbot", "ack-only")
FORMS_PER_SECOND = 2  # `/stack add` alone, beside the mix: each opens a form (views.open)


@dataclass
class Run:
    label: str
    sent: dict[str, float] = field(default_factory=dict)  # hook -> monotonic send time
    acks: list[float] = field(default_factory=list)  # seconds
    bad_acks: int = 0
    forms: dict[str, float] = field(default_factory=dict)  # trigger -> send time
    adds: int = 0
    drained: float = 0.0  # seconds after the last request until every command was answered


def p99(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


# The fake Slack, in a process of its own as Slack's servers are elsewhere.


def fake_main(port: int, delay: float, dump: str) -> None:
    from tests.fake_slack import FakeSlack

    class Slow(FakeSlack):
        def _wait_if_held(self, method: str) -> None:
            if delay and method != "auth.test":
                time.sleep(delay)  # Slack's API answering slowly

    fake = Slow()
    from tests import fake_slack

    fake._server = fake_slack._Server(("127.0.0.1", port), fake_slack._Handler)
    fake._server.fake = fake
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=fake._server.serve_forever, daemon=True).start()
    stop.wait()
    calls = [(c.method, c.at, str(c.params.get("trigger_id", ""))) for c in fake.calls]
    Path(dump).write_text(json.dumps(calls))


@contextmanager
def fake_slack(delay: float) -> Iterator[tuple[str, Path]]:
    port = free_port()
    dump = Path(tempfile.mkdtemp()) / "calls.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.load", "--fake", str(port), str(delay), str(dump)],
        cwd=ROOT,
    )
    for _ in range(1000):  # until it listens
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/", dump
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


# The servers.


def ack_only_main() -> None:
    """An ack-only Bolt app behind stackbot's own WSGI front, under bot.serve.serve."""
    from slack_bolt import Ack, App

    from bot.http import wsgi_app
    from bot.outbound import request_client
    from bot.serve import serve
    from core.settings import Settings
    from db.engine import make_engine

    settings = Settings.from_environ(os.environ)

    def load() -> Any:
        client = request_client(settings.slack_bot_token, base_url=settings.slack_api_url)
        app = App(signing_secret=SECRET, client=client, process_before_response=True)

        def stack(ack: Ack) -> None:
            ack()

        app.command("/stack")(stack)
        return wsgi_app(app, make_engine(settings.database_url))

    serve(settings, load=load)


def start(
    kind: str, slack_url: str, database_url: str, *, worker: bool = True
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack_url, "PORT": str(port),
        "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }  # fmt: skip
    # stackbot's web process records commands; a worker beside it runs them (bench/worker.py
    # runs several apart, `worker=False`).
    serve = ["-m", "cli.main", "serve", *(["--with-worker"] if worker else [])]
    command = serve if kind == "stackbot" else ["-m", "bench.load", "--ack"]
    process = subprocess.Popen([sys.executable, *command], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{kind} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(30)


# The load.


def send(url: str, slack_url: str, text: str, key: str, run: Run, *, form: bool) -> None:
    fields = {
        "team_id": TEAM, "channel_id": "C1", "user_id": "UBENCH", "command": "/stack",
        "text": text, "api_app_id": "A0APP", "response_url": slack_url + "r/" + key,
        "trigger_id": key,
    }  # fmt: skip
    body = urlencode(fields).encode()
    headers = {**sign(body), "Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(url + "/slack/events", body, headers, method="POST")
    began = time.monotonic()
    (run.forms if form else run.sent)[key] = began
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            ok = answer.status == 200 and answer.read() == b""
    except OSError:
        ok = False
    run.acks.append(time.monotonic() - began)
    run.bad_acks += not ok


def load(url: str, slack_url: str, run: Run, *, rate: int, seconds: float, forms: bool) -> None:
    """Open loop: request i leaves at start + i/rate, whether or not earlier ones came back."""
    count = int(rate * seconds)
    every = max(1, rate // FORMS_PER_SECOND)
    with ThreadPoolExecutor(max_workers=400) as pool:
        began = time.monotonic()
        for i in range(count):
            delay = began + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            key = f"{run.label}-{i}"
            if forms and i % every == every - 1:
                pool.submit(send, url, slack_url, "add", key + "-form", run, form=True)
            kind = i % 4
            text = f"add Tool-{key} inference" if kind < 2 else ("list" if kind == 2 else "map")
            run.adds += kind < 2
            pool.submit(send, url, slack_url, text, key, run, form=False)


def verdicts(runs: list[Run], calls: list[list[Any]]) -> list[dict[str, Any]]:
    arrived: dict[str, list[float]] = {}
    opened: dict[str, float] = {}
    for method, at, trigger in calls:
        if method.startswith("r/"):
            arrived.setdefault(method[2:], []).append(at)
        elif method == "views.open":
            opened.setdefault(trigger, at)
    rows = []
    for run in runs:
        replies = [arrived[k][0] - t for k, t in run.sent.items() if k in arrived]
        forms = [opened[k] - t for k, t in run.forms.items() if k in opened]
        rows.append({
            "run": run.label, "requests": len(run.sent),
            "ack_p50_ms": 1000 * statistics.median(run.acks),
            "ack_p99_ms": 1000 * p99(run.acks), "bad_acks": run.bad_acks,
            "reply_p99_ms": 1000 * p99(replies), "lost": sum(k not in arrived for k in run.sent),
            "twice": sum(len(arrived.get(k, [])) > 1 for k in run.sent),
            "forms": len(run.forms), "form_p99_ms": 1000 * p99(forms),
            "forms_missing": sum(k not in opened for k in run.forms),
            "drained_s": run.drained,
        })  # fmt: skip
    return rows


def drain(database_url: str, limit: float = 120.0) -> float:
    """Seconds until every recorded command was answered (the store says so), at most `limit`."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    began = time.monotonic()
    query = text("SELECT count(*) FROM slack_command WHERE status IN ('queued', 'running', 'done')")
    try:
        while time.monotonic() - began < limit:
            with engine.connect() as connection:
                if connection.execute(query).scalar_one() == 0:
                    break
            time.sleep(0.1)
    finally:
        engine.dispose()
    return time.monotonic() - began


def busy(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def scenario(
    label: str, args: argparse.Namespace, *, delay: float, kinds: tuple[str, ...],
    rates: tuple[int, ...], background: int = 0, cold: int = 0,
) -> list[dict[str, Any]]:  # fmt: skip
    seconds = 4.0 if args.quick else 10.0
    runs: list[Run] = []
    spinners = busy(background)
    try:
        with fake_slack(delay) as (slack_url, dump):
            for _ in range(cold):  # a fresh server, and a form the moment /healthz answers
                run = Run(f"{label}-cold{len(runs)}")
                server, url = start("stackbot", slack_url, fresh(args))
                send(url, slack_url, "add", run.label + "-form", run, form=True)
                stop(server)
                runs.append(run)
            databases = {kind: fresh(args) for kind in kinds}
            servers = {kind: start(kind, slack_url, databases[kind]) for kind in kinds}
            try:
                for rate in rates:
                    for kind in kinds:
                        run = Run(f"{label}-{kind}-{rate}")
                        url = servers[kind][1]
                        load(url, slack_url, run, rate=rate, seconds=seconds, forms=kind == both[0])
                        if kind == both[0]:
                            run.drained = drain(databases[kind])
                        runs.append(run)
                time.sleep(2 * delay + 1)  # the last answers arrive
            finally:
                for process, _ in servers.values():
                    stop(process)
        calls = json.loads(dump.read_text())
    finally:
        for spinner in spinners:
            spinner.kill()
    return verdicts(runs, calls)


def fresh(args: argparse.Namespace) -> str:
    if args.database:
        from sqlalchemy import create_engine, text

        schema = f"bench_{time.monotonic_ns()}"
        engine = create_engine(args.database.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))

        def drop() -> None:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

        atexit.register(drop)
        return f"{args.database}?options=-csearch_path%3D{schema}"
    return f"sqlite:///{tempfile.mkdtemp()}/stack.db"


def main() -> int:
    if sys.argv[1:2] == ["--fake"]:
        fake_main(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return 0
    if sys.argv[1:2] == ["--ack"]:
        ack_only_main()
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database", help="a PostgreSQL URL; each server gets a fresh schema")
    parser.add_argument("--only", help="run one scenario: normal, slow2s, cold or busy")
    args = parser.parse_args()
    scenarios = [
        ("normal", {"delay": 0, "kinds": both, "rates": (20, 100)}),
        ("slow2s", {"delay": 2, "kinds": both, "rates": (20, 100)}),
        ("cold", {"delay": 0, "kinds": (), "rates": (), "cold": 3}),
        ("busy", {"delay": 0, "kinds": both, "rates": (20, 100), "background": 2, "cold": 3}),
    ]
    for label, options in scenarios:
        if args.only and label != args.only:
            continue
        for row in scenario(label, args, **options):  # type: ignore[arg-type]
            rounded = {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}
            print(json.dumps(rounded), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
