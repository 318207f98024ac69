"""`stackbot serve` (HTTP under gunicorn) and `stackbot socket` (Socket Mode)."""

from __future__ import annotations

import atexit
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine

from bot import logs, metrics
from bot.app import ConfigurationError, check_app_token, create_app
from bot.http import Readiness, wsgi_app
from core.catalog import load_catalog
from core.settings import Settings
from core.version import stackbot_version
from db import gauges, open_store
from db.engine import close_store, session_scope
from templates.render import environment

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

logger = logging.getLogger(__name__)
THREADS_PER_WORKER = 8


def web_app(settings: Settings, engine: Engine, *, socket_mode: bool = False) -> App:
    """The app as a web worker (or Socket Mode) runs it. It records slash commands and acks
    them; `stackbot worker` (bot.worker) runs them."""
    return create_app(settings, engine, socket_mode=socket_mode)


def store(settings: Settings) -> Engine:
    """The store for a process that runs for a while: a database that does not answer yet is
    waited for (DATABASE_WAIT_SECONDS), one line per try, then db.engine.StoreUnavailable."""
    return open_store(
        settings.database_url,
        wait_seconds=settings.database_wait_seconds,
        shown=settings.database_shown,
    )


def load_stackbot(settings: Settings) -> WSGIApplication:
    """What each gunicorn worker loads after the fork: its own engine, app and sweep."""
    engine = open_store(settings.database_url, shown=settings.database_shown)
    atexit.register(close_store, engine)  # a worker that stops cleanly checkpoints SQLite's -wal
    ready = Readiness()
    _note_stopping(ready)
    warm()
    app = web_app(settings, engine)
    ready.warm = True
    route = metrics.route(engine, settings.metrics_token) if settings.metrics_token else None
    return wsgi_app(app, engine, ready, route)


def _note_stopping(ready: Readiness) -> None:
    """gunicorn's worker stops on SIGTERM (its own handler, installed before the app loads):
    from then on /readyz says so, while the requests under way finish."""
    previous = signal.getsignal(signal.SIGTERM)

    def stopping(signum: int, frame: FrameType | None) -> None:
        ready.stopping = True
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, stopping)


def warm() -> None:
    """Compile every template and read the catalog before the first request, not during it:
    the first form after a start must open within Slack's 3 seconds, on a busy machine too."""
    env = environment()
    for name in env.list_templates(extensions=["j2"]):
        if not name.endswith(".json.j2"):  # partials compile inside the templates using them
            continue
        env.get_template(name)
    load_catalog()


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, load: Callable[[], WSGIApplication], options: dict[str, Any]) -> None:
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        return self._load()


def serve(settings: Settings, load: Callable[[], WSGIApplication] | None = None) -> None:
    """Migrate once, then fork workers; each builds its own engine and app after the fork.

    `load` builds another WSGI app instead (the benchmark serves an ack-only app this way, so
    both run under the same server).
    """
    engine = store(settings)
    try:  # a wrong token or secret stops the start here, not in every worker
        create_app(settings, engine)
        announce(settings, engine, f"serving over HTTP on {settings.host}:{settings.port}")
    finally:
        engine.dispose()
    options: dict[str, Any] = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.web_concurrency,
        "worker_class": "gthread",
        "threads": THREADS_PER_WORKER,
        "timeout": 30,
        "graceful_timeout": 10,
        "loglevel": settings.log_level.lower(),
        "accesslog": None,
        "errorlog": "-",
        # gunicorn's lines in stackbot's format (bot.logs), through the same handler.
        "logconfig_dict": logs.config(settings.log_level, settings.log_format),
    }
    if settings.metrics_token:
        where = metrics.prepare_directory()  # before the fork, and before prometheus loads
        logger.info("metrics: GET /metrics, samples in %s", where)
        options["child_exit"] = lambda server, worker: metrics.worker_exited(worker.pid)
    _Gunicorn(load or (lambda: load_stackbot(settings)), options).run()


def announce(settings: Settings, engine: Engine, doing: str) -> None:
    """The start-up line: version, mode, workspaces and the database (its password masked)."""
    if settings.slack_client_id and settings.slack_client_secret:
        with session_scope(engine, write=False) as session:
            count = gauges.installed_workspaces(session=session)
        served = f"OAuth, {count} workspace{'' if count == 1 else 's'} installed"
    else:
        served = "one workspace, by its bot token"
    logger.info(
        "stackbot %s %s: %s; database %s",
        stackbot_version(), doing, served, settings.database_shown,
    )  # fmt: skip


def socket(settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Socket Mode until SIGTERM or SIGINT (or `stop`, for a test running it in a thread)."""
    if not settings.slack_app_token:
        raise ConfigurationError("set SLACK_APP_TOKEN (xapp-...) for Socket Mode")
    engine = store(settings)
    app = web_app(settings, engine, socket_mode=True)
    check_app_token(app.client, settings.slack_app_token)
    handler = SocketModeHandler(app, settings.slack_app_token)
    handler.connect()  # type: ignore[no-untyped-call]
    announce(settings, engine, "serving over Socket Mode")
    stopped = stop or threading.Event()
    if stop is None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda signum, frame: stopped.set())
    stopped.wait()
    handler.close()  # type: ignore[no-untyped-call]
    close_store(engine)


def serve_with(
    settings: Settings, beside: Sequence[str], run: Callable[[Settings], None] = serve
) -> int:
    """The whole app as one process tree, for a small single-host install: each of `beside`
    (`worker`, `clock`) runs as a child process of its own next to the web (`run`), and stops
    with it (SIGTERM: the worker finishes the command in hand)."""
    children = [subprocess.Popen([sys.executable, "-m", "cli.main", name]) for name in beside]
    try:
        run(settings)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=30)
    return 0
