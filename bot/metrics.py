"""GET /metrics in Prometheus' text format, and the counters the web process keeps.

Under gunicorn every worker is a process of its own, so prometheus-client runs in its
multiprocess mode, as its documentation says (prometheus.github.io/client_python/multiprocess):
`PROMETHEUS_MULTIPROC_DIR` names a directory, emptied by the master before it forks
(bot.serve), each worker writes its samples there, a worker that exits is marked dead in
gunicorn's `child_exit` hook, and a scrape, answered by any worker, adds them all up. The
library chooses that mode when it is first imported, so it is imported here only once the
directory is set: never at the top of this module.

What the store knows (the command backlog, failed deliveries, the clock's last pass) is read
from it at each scrape instead, so that it is the same from every worker and covers the clock.
"""

from __future__ import annotations

import hmac
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db import gauges
from db.engine import session_scope

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.http import Route

logger = logging.getLogger(__name__)
DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
# Slack wants an ack within 3 s; the buckets are finer where acks should be.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class _Instruments:
    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.acks = Histogram(
            "stackbot_ack_seconds",
            "Time from a Slack request reaching stackbot's listener to its ack, by kind",
            ["kind"],
            buckets=ACK_BUCKETS,
        )
        self.commands = Counter(
            "stackbot_commands_total", "Slash commands acked, by verb", ["verb"]
        )
        self.rate_limited = Counter(
            "stackbot_slack_rate_limited_total",
            "Slack API calls answered 429 (rate limited) in the web processes",
        )


_instruments: _Instruments | None = None


def prepare_directory(environ: dict[str, str] | Any = os.environ) -> Path:
    """In gunicorn's master, before the fork: the samples' directory, made or emptied, and named
    in the environment the workers inherit. Returns it."""
    named = environ.get(DIRECTORY)
    path = Path(named) if named else Path(tempfile.mkdtemp(prefix="stackbot-metrics-"))
    if path.exists():
        for entry in path.iterdir():  # samples of an earlier run would be added up as current
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    path.mkdir(parents=True, exist_ok=True)
    environ[DIRECTORY] = str(path)
    return path


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: that worker's live gauges stop counting."""
    if os.environ.get(DIRECTORY):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def enable() -> None:
    """Start counting in this process (a web worker with METRICS_TOKEN set)."""
    global _instruments
    if _instruments is None:
        _instruments = _Instruments()


def observe_ack(kind: str, seconds: float) -> None:
    if _instruments is not None:
        _instruments.acks.labels(kind=kind).observe(seconds)


def count_command(verb: str) -> None:
    if _instruments is not None:
        _instruments.commands.labels(verb=verb).inc()


def count_rate_limited() -> None:
    if _instruments is not None:
        _instruments.rate_limited.inc()


def route(engine: Engine, token: str) -> Route:
    """GET /metrics behind `Authorization: Bearer <token>`."""
    enable()
    expected = f"Bearer {token}".encode()

    def metrics(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        given = str(environ.get("HTTP_AUTHORIZATION") or "").encode()
        if not hmac.compare_digest(given, expected):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [b"a bearer token is needed\n"]
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        body = generate_latest(_registry(engine))
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]

    return metrics


def _registry(engine: Engine) -> Any:
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    if os.environ.get(DIRECTORY):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:  # one process (a test, or a server without the directory): its own counters
        registry = CollectorRegistry()
        registry.register(REGISTRY)  # a registry collects like any collector
    registry.register(_StoreCollector(engine))
    return registry


class _StoreCollector:
    """Gauges read from the store at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("stackbot_database_up", "1 when the store answered this scrape")
        try:
            with session_scope(self._engine, write=False) as session:
                read = gauges.read(session=session)
        except SQLAlchemyError:
            logger.warning("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        now = datetime.now(UTC)  # a scrape reads the clock here
        yield GaugeMetricFamily(
            "stackbot_command_backlog",
            "Slash commands recorded and not yet answered",
            value=read.backlog,
        )
        oldest = (now - read.oldest_waiting).total_seconds() if read.oldest_waiting else 0.0
        yield GaugeMetricFamily(
            "stackbot_command_oldest_waiting_seconds",
            "Age of the oldest slash command not yet answered (0 when none waits)",
            value=max(0.0, oldest),
        )
        yield GaugeMetricFamily(
            "stackbot_deliveries_failed",
            "Reminders and digests whose last try failed (retried by the clock, or given up)",
            value=read.failed_deliveries,
        )
        if read.last_pass is not None:
            yield GaugeMetricFamily(
                "stackbot_clock_last_pass_age_seconds",
                "Seconds since the clock last finished a pass (absent before its first)",
                value=max(0.0, (now - read.last_pass).total_seconds()),
            )
            yield GaugeMetricFamily(
                "stackbot_clock_last_pass_timestamp_seconds",
                "When the clock last finished a pass, as a Unix time",
                value=read.last_pass.timestamp(),
            )
