"""`stackbot serve` (HTTP under gunicorn) and `stackbot socket` (Socket Mode)."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.app import ConfigurationError, create_app
from bot.http import wsgi_app
from bot.outbound import Directory, directory
from bot.recorded import Sweeper
from core.catalog import load_catalog
from core.settings import Settings
from db import open_store
from templates.render import environment

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

logger = logging.getLogger(__name__)
THREADS_PER_WORKER = 8


def web_app(settings: Settings, engine: Engine, *, socket_mode: bool = False) -> App:
    """The app as a web worker (or Socket Mode) runs it, with the sweep that finishes what a
    dead worker left of a slash command (bot.recorded)."""
    app = create_app(settings, engine, socket_mode=socket_mode)
    slack = directory(settings, engine)
    Sweeper(engine, lambda team: _client(slack, team))
    return app


def _client(slack: Directory, team_id: str) -> WebClient | None:
    poster = slack.poster(team_id)
    return poster.client if poster else None


def load_stackbot(settings: Settings) -> WSGIApplication:
    """What each gunicorn worker loads after the fork: its own engine, app and sweep."""
    engine = open_store(settings.database_url)
    warm()
    return wsgi_app(web_app(settings, engine), engine)


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
    engine = open_store(settings.database_url)
    try:  # a wrong token or secret stops the start here, not in every worker
        create_app(settings, engine)
    finally:
        engine.dispose()
    _Gunicorn(
        load or (lambda: load_stackbot(settings)),
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
    app = web_app(settings, engine, socket_mode=True)
    SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]


def serve_with_clock(settings: Settings) -> int:
    """Web and clock together, for a small single-host install: the clock runs as a child
    process beside gunicorn and stops with it."""
    clock = subprocess.Popen([sys.executable, "-m", "cli.main", "clock"])
    try:
        serve(settings)
    finally:
        clock.terminate()
        clock.wait(timeout=30)
    return 0
