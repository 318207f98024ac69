"""`stackbot serve` (HTTP under gunicorn) and `stackbot socket` (Socket Mode)."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine

from bot.app import ConfigurationError, create_app
from bot.http import wsgi_app
from core.catalog import load_catalog
from core.settings import Settings
from db import open_store
from templates.render import environment

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

logger = logging.getLogger(__name__)
THREADS_PER_WORKER = 8


def web_app(settings: Settings, engine: Engine, *, socket_mode: bool = False) -> App:
    """The app as a web worker (or Socket Mode) runs it. It records slash commands and acks
    them; `stackbot worker` (bot.worker) runs them."""
    return create_app(settings, engine, socket_mode=socket_mode)


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
