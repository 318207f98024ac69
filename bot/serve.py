"""`stackbot serve` (HTTP under gunicorn) and `stackbot socket` (Socket Mode)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from bot import work
from bot.app import ConfigurationError, create_app
from core.settings import Settings
from db import open_store
from db.engine import ping

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)
THREADS_PER_WORKER = 8


def web_app(settings: Settings, engine: Engine, **options: Any) -> App:
    """The app as `stackbot serve` runs it: the slash command's work goes to a child process
    (bot.work), so the acks Slack waits for go first."""
    return create_app(
        settings, engine, work=work.WorkProcess() if work.supported() else None, **options
    )


def wsgi_app(settings: Settings, engine: Engine, app: App | None = None) -> WSGIApplication:
    """Bolt's WSGI handler (POST /slack/events, the OAuth routes) plus GET /healthz."""
    slack = SlackRequestHandler(app or web_app(settings, engine))

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return _health(engine, start_response)
        try:
            return slack(environ, start_response)
        except ValueError:  # Bolt parses the body before any listener runs: malformed, not ours
            logger.warning("refused a request whose body could not be parsed")
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"Bad Request"]

    return application


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    if ping(engine):
        status, body = "200 OK", {"ok": True, "database": "ok"}
    else:
        logger.error("health check: the database did not answer")
        status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


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
    open_store(settings.database_url).dispose()

    def load_stackbot() -> WSGIApplication:
        return wsgi_app(settings, open_store(settings.database_url))

    _Gunicorn(
        load or load_stackbot,
        {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.web_concurrency,
            "worker_class": "gthread",
            "threads": THREADS_PER_WORKER,
            "timeout": 30,
            "graceful_timeout": 10,
            "loglevel": settings.log_level.lower(),
            "accesslog": None,
            "errorlog": "-",
        },
    ).run()


def socket(settings: Settings) -> None:
    if not settings.slack_app_token:
        raise ConfigurationError("set SLACK_APP_TOKEN (xapp-...) for Socket Mode")
    engine = open_store(settings.database_url)
    app = create_app(settings, engine, socket_mode=True)
    SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]


def serve_with_clock(settings: Settings) -> int:
    """Web and clock together, for a small single-host install: the clock runs as a child
    process beside gunicorn and stops with it."""
    clock = subprocess.Popen([sys.executable, "-m", "bot.cli", "clock"])
    try:
        serve(settings)
    finally:
        clock.terminate()
        clock.wait(timeout=30)
    return 0
