"""One log format for every line a process writes, stackbot's and gunicorn's alike: plain text
by default, or (LOG_FORMAT=json) one JSON object per line for a log pipeline, through
python-json-logger. Everything goes to standard error."""

from __future__ import annotations

import logging
import logging.config
from typing import Any

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# python-json-logger names the record's fields to keep; `rename_fields` gives them the names
# log pipelines expect.
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d"
JSON_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def config(level: str, form: str) -> dict[str, Any]:
    """A logging.config.dictConfig for the whole process: the root logger, and gunicorn's two
    loggers sent up to it (gunicorn's `logconfig_dict` setting takes the same)."""
    if form == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": JSON_RENAMED,
            "timestamp": False,
        }
    else:
        formatter = {"format": PLAIN}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"stackbot": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "stackbot",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            # Which of its plugins alembic set up, at every migration: nothing to act on.
            "alembic.runtime.plugins": {"level": "WARNING"},
            # Slack's requests are not logged one by one (bot.app logs each command).
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure(level: str, form: str) -> None:
    """Set up this process's logging, unless something did already (as logging.basicConfig:
    a test calling `stackbot`'s main() keeps pytest's own handlers)."""
    if logging.getLogger().handlers:
        return
    logging.config.dictConfig(config(level, form))
