"""The WSGI app `stackbot serve` runs: Bolt's handler (POST /slack/events, the OAuth routes), the
health endpoints (GET /healthz, /livez, /readyz) and GET /metrics, behind checks that keep what a
client sent from ever becoming a 5xx or a log full of bodies."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from db.engine import ping

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

# Slack's largest payloads (a full modal's state, a 100-block view) are a few hundred KB.
MAX_BODY_BYTES = 1 << 20
# The parts of a payload the listeners read as objects; anything else there is not from Slack.
OBJECTS = ("view", "event", "team", "user", "channel", "container", "message", "enterprise")


@dataclass
class Readiness:
    """What /readyz reports beside the database: set by the process as it starts and stops."""

    warm: bool = False  # templates compiled and the catalog read (bot.serve.warm)
    stopping: bool = False  # SIGTERM came: finishing what is under way, taking nothing new


Route = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def wsgi_app(
    app: App,
    engine: Engine,
    readiness: Readiness | None = None,
    metrics: Route | None = None,
) -> WSGIApplication:
    """`metrics` serves GET /metrics (bot.metrics); None, the path is not found."""
    slack = SlackRequestHandler(app)
    ready = readiness or Readiness(warm=True)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz":
            return _health(engine, start_response)
        if path == "/livez":  # the process answers: nothing else, so a database outage
            return _json(start_response, "200 OK", {"ok": True})  # restarts nothing
        if path == "/readyz":
            return _ready(engine, ready, start_response)
        if path == "/metrics" and metrics is not None:
            return metrics(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return slack(environ, start_response)
        body = _read(environ)
        if body is None:
            logger.warning("refused a request over %d bytes, unread", MAX_BODY_BYTES)
            return _refuse(start_response, "413 Content Too Large", "request body too large")
        problem = malformed(body, str(environ.get("CONTENT_TYPE") or ""))
        if problem is not None:
            logger.warning("refused a malformed request (%d bytes): %s", len(body), problem)
            return _refuse(start_response, "400 Bad Request", problem)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return slack(environ, _noting(start_response, len(body)))

    return application


def _read(environ: WSGIEnvironment) -> bytes | None:
    """The body, or None past the cap (read no further than that, whatever the client says)."""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    # No length given (chunked): read one byte past the cap, enough to know.
    body: bytes = environ["wsgi.input"].read(declared or MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def malformed(body: bytes, content_type: str) -> str | None:
    """What is wrong with a body Bolt could not parse, or whose parts are not what Slack sends;
    None when it is fine (a signature is then still checked by Bolt)."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            data: Any = json.loads(text) if text else {}
        else:
            form = parse_qs(text, keep_blank_values=True)
            payload = form.get("payload")
            data = json.loads(payload[0]) if payload else {}
    except (UnicodeDecodeError, ValueError):
        return "the body is not UTF-8 form data or JSON"
    if not isinstance(data, dict):
        return "the payload must be a JSON object"
    for key in OBJECTS:
        if key in data and not isinstance(data[key], dict | str):
            return f"`{key}` must be an object"
    if data.get("type") == "view_submission" and not isinstance(data.get("view"), dict):
        return "a view submission needs its `view`"
    actions = data.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        return "`actions` must be a list of objects"
    return None


def _noting(start_response: StartResponse, size: int) -> StartResponse:
    """Bolt refuses a bad or stale signature with 401 and logs it with its body (quietened in
    bot.app): here it is one line, without the body or the response_url inside it."""

    def noted(status: str, headers: Any, exc_info: Any = None) -> Any:
        if status.startswith("401"):
            logger.warning("refused a request (%d bytes): bad or stale signature", size)
        return start_response(status, headers, exc_info)

    return noted


def _refuse(start_response: StartResponse, status: str, error: str) -> Iterable[bytes]:
    return _json(start_response, status, {"ok": False, "error": error})


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def _ready(engine: Engine, ready: Readiness, start_response: StartResponse) -> Iterable[bytes]:
    """200 when this process should get traffic; 503 says why not, and is not logged (a probe
    asks every few seconds, and a database outage is logged by whatever meets it)."""
    if ready.stopping:
        return _json(start_response, "503 Service Unavailable", {"ok": False, "why": "stopping"})
    if not ready.warm:
        return _json(start_response, "503 Service Unavailable", {"ok": False, "why": "starting"})
    if not ping(engine):
        body = {"ok": False, "why": "database unreachable"}
        return _json(start_response, "503 Service Unavailable", body)
    return _json(start_response, "200 OK", {"ok": True})


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    if ping(engine):
        status, body = "200 OK", {"ok": True, "database": "ok"}
    else:
        logger.error("health check: the database did not answer")
        status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    return _json(start_response, status, body)
