"""A fake Slack Web API: a real HTTP server on loopback that `slack_sdk.WebClient` talks to.

Faking Slack at the HTTP seam (as bolt-python's tests/mock_web_api_server does) means the real
slack_sdk code runs: request encoding, error raising, retry handlers and all.

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        fake.script("chat.postMessage", rate_limited(retry_after=0))
        ...
        assert fake.calls_to("chat.postMessage")[-1].params["channel"] == "C1"
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import pytest
from slack_sdk import WebClient

# OAuth methods authenticate the app with client_id/client_secret (HTTP Basic), not a token.
NO_TOKEN_METHODS = frozenset({"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange"})
UPLOAD = "upload"  # the method name recorded for bytes sent to a files.getUploadURLExternal URL
FILES = "files-pri"  # where files.info's url_private_download points; needs the bot token


@dataclass(frozen=True)
class Call:
    """One request as the fake received it. Header names are lower-cased."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival
    body: bytes = b""
    token: str | None = None  # from `Authorization: Bearer`, or a form/query `token`


@dataclass(frozen=True)
class Reply:
    """A scripted answer. A str body is sent as text/plain, bytes as they are, anything else as
    JSON."""

    status: int = 200
    body: Mapping[str, Any] | str | bytes = field(default_factory=lambda: {"ok": True})
    headers: Mapping[str, str] = field(default_factory=dict)


def error(code: str, *, status: int = 200) -> Reply:
    """Slack reports most failures as HTTP 200 with ok=false, e.g. `error("channel_not_found")`."""
    return Reply(status=status, body={"ok": False, "error": code})


def rate_limited(retry_after: int = 1) -> Reply:
    # https://docs.slack.dev/apis/web-api/rate-limits: HTTP 429 with a Retry-After in seconds.
    return Reply(
        status=429,
        headers={"Retry-After": str(retry_after)},
        body={"ok": False, "error": "ratelimited"},
    )


def server_error(status: int = 500) -> Reply:
    # slack_sdk's ServerErrorRetryHandler retries only 500 and 503.
    return Reply(status=status, body={"ok": False, "error": "fatal_error"})


Scripted = Reply | Mapping[str, Any] | str


def _as_reply(response: Scripted) -> Reply:
    return response if isinstance(response, Reply) else Reply(body=response)


def _maybe_json(value: str) -> Any:
    if value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def _parse(query: str, content_type: str, body: bytes) -> tuple[dict[str, Any], str | None]:
    """Returns the params, and the token found in the query or form (Slack ignores one in JSON)."""
    plain: dict[str, Any] = {k: _maybe_json(v) for k, v in parse_qsl(query, keep_blank_values=True)}
    from_json: dict[str, Any] = {}
    if content_type.startswith("application/json") and body:
        decoded = json.loads(body)
        from_json = decoded if isinstance(decoded, dict) else {"_body": decoded}
    elif content_type.startswith("application/x-www-form-urlencoded"):
        text = body.decode("utf-8")
        plain |= {k: _maybe_json(v) for k, v in parse_qsl(text, keep_blank_values=True)}
    token = plain.get("token")
    return plain | from_json, token if isinstance(token, str) else None


class FakeSlack:
    """A thread-safe fake of the Slack Web API on 127.0.0.1, on any free port."""

    def __init__(
        self,
        *,
        team_id: str = "T0TEAM",
        team_name: str = "Test Team",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A0APP",
        installer_id: str = "UINSTALLER",
    ) -> None:
        self.team_id, self.team_name, self.app_id = team_id, team_name, app_id
        self.bot_user_id, self.bot_id, self.installer_id = bot_user_id, bot_id, installer_id
        self.users: dict[str, dict[str, Any]] = {}  # per-user fields merged into users.info
        self.team: dict[str, Any] = {}  # fields merged into team.info's team
        self.emails: dict[str, str] = {}  # email -> user id, for users.lookupByEmail
        self.files: dict[str, bytes] = {}  # file id -> content, served at /files/<id>
        self.redirects: dict[str, str] = {}  # file id -> where its download answers 302 to
        # What apps.connections.open hands a Socket Mode client (tests/fake_socket.py).
        self.socket_url: str | None = None
        self.revoked_tokens: set[str] = set()
        self.invalid_tokens: set[str] = set()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._errors: list[str] = []
        self._scripts: defaultdict[str, deque[Reply]] = defaultdict(deque)
        self._channel_scripts: defaultdict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self._serial = 0
        self._holds: dict[str, threading.Event] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._defaults: dict[str, Callable[[Call], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": lambda call: {"ok": True, "message_ts": self._next_ts()},
            "conversations.open": self._open_conversation,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "users.info": self._user_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._lookup_by_email,
            "files.info": self._file_info,
            "team.info": self._team_info,
            "oauth.v2.access": self._oauth_access,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # Life cycle

    def start(self) -> Self:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stops the server; raises if the fake itself crashed while answering."""
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        with self._lock:
            holds = list(self._holds.values())
        for held in holds:
            held.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise AssertionError("fake_slack crashed:\n" + "\n".join(errors))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base_url for WebClient; it ends with "/" as WebClient needs."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def client(self, token: str = "xoxb-test", **kwargs: Any) -> WebClient:
        return WebClient(token=token, base_url=self.url, **kwargs)

    # What happened

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def wait_for(self, method: str, *, count: int = 1, timeout: float = 30.0) -> Call:
        """The `count`-th call to `method`, waiting for it to arrive (from another thread or
        process) without polling: the server thread wakes this one when a request comes in."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: self._nth(method, count) is not None, timeout):
                raise AssertionError(f"no call {count} to {method} within {timeout} s")
            found = self._nth(method, count)
            assert found is not None
            return found

    def _nth(self, method: str, count: int) -> Call | None:
        calls = [call for call in self._calls if call.method == method]
        return calls[count - 1] if len(calls) >= count else None

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def arrivals_by_channel(self, method: str = "chat.postMessage") -> dict[str, list[float]]:
        """Arrival times per channel, to check pacing (Slack allows ~1 message/s per channel)."""
        arrivals: defaultdict[str, list[float]] = defaultdict(list)
        for call in self.calls_to(method):
            arrivals[str(call.params.get("channel"))].append(call.at)
        return dict(arrivals)

    # What to answer

    def script(self, method: str, *responses: Scripted) -> None:
        """Queues answers for the next calls of `method`; then the default answer applies again."""
        with self._lock:
            self._scripts[method].extend(_as_reply(r) for r in responses)

    def script_for_channel(
        self, channel_id: str, *responses: Scripted, method: str = "chat.postMessage"
    ) -> None:
        """Like script(), for calls whose params["channel"] is `channel_id`; checked first."""
        with self._lock:
            self._channel_scripts[(method, channel_id)].extend(_as_reply(r) for r in responses)

    def hold(self, method: str) -> threading.Event:
        """Calls to `method` wait (after they are recorded) until the returned event is set, as
        a Slack that is slow to answer would; `reset` releases them."""
        with self._lock:
            return self._holds.setdefault(method, threading.Event())

    def _wait_if_held(self, method: str) -> None:
        with self._lock:
            held = self._holds.get(method)
        if held is not None:
            held.wait(timeout=60)

    def reset(self) -> None:
        """Forgets the calls and the scripts (users, team and token lists stay)."""
        with self._lock:
            self._calls.clear()
            self._scripts.clear()
            self._channel_scripts.clear()
            holds, self._holds = self._holds, {}
        for held in holds.values():
            held.set()

    # Answering (on the server's threads)

    def _receive(self, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        at = time.monotonic()
        lowered = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(target)
        path = parts.path.lstrip("/")
        with self._lock:
            try:
                if path.startswith(FILES + "/"):
                    return self._download(path.removeprefix(FILES + "/"), lowered, at)
                if path.startswith(UPLOAD + "/"):
                    params: dict[str, Any] = {"file_id": path.removeprefix(UPLOAD + "/")}
                    call = Call(UPLOAD, params, lowered, at, body)
                    self._calls.append(call)
                    return Reply(body=f"OK - {len(body)}")
                params, token = _parse(parts.query, lowered.get("content-type", ""), body)
                bearer = lowered.get("authorization", "")
                if bearer.startswith("Bearer "):
                    token = bearer.removeprefix("Bearer ")
                call = Call(path.removeprefix("api/"), params, lowered, at, body, token)
                self._calls.append(call)
                self._arrived.notify_all()
                return self._answer(call)
            except Exception:  # a bug in the fake must fail the test, not look like a Slack 500
                self._errors.append(traceback.format_exc())
                return Reply(status=500, body="fake_slack crashed; see the test's teardown")

    def _answer(self, call: Call) -> Reply:
        # A path with a slash is a response_url (a webhook): it carries no token.
        if call.method not in NO_TOKEN_METHODS and "/" not in call.method:
            if not call.token:
                return error("not_authed")
            if call.token in self.revoked_tokens:
                return error("token_revoked")
            # Socket Mode's method takes the app-level token (xapp-), and only that.
            app_level = call.method == "apps.connections.open"
            if call.token in self.invalid_tokens or not call.token.startswith(
                "xapp-" if app_level else "xox"
            ):
                return error("invalid_auth")
        for queue in (
            self._channel_scripts.get((call.method, str(call.params.get("channel")))),
            self._scripts.get(call.method),
        ):
            if queue:
                return queue.popleft()
        default = self._defaults.get(call.method)
        return Reply(body=default(call) if default else {"ok": True})

    def _next_ts(self) -> str:
        self._serial += 1
        micros = 1_700_000_000_000_000 + self._serial * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial:08d}"

    # Default answers, shaped like Slack's (https://docs.slack.dev/reference/methods/<method>)

    def _auth_test(self, call: Call) -> dict[str, Any]:
        answer = {
            "ok": True,
            "url": "https://testteam.slack.com/",
            "team": self.team_name,
            "user": "stackbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }
        if (call.token or "").startswith("xoxp-"):  # a user token has no bot_id
            del answer["bot_id"]
            answer |= {"user": "installer", "user_id": self.installer_id}
        return answer

    def _connections_open(self, call: Call) -> dict[str, Any]:
        # https://docs.slack.dev/reference/methods/apps.connections.open
        if self.socket_url is None:
            return {"ok": False, "error": "fake_slack_has_no_socket"}
        return {"ok": True, "url": self.socket_url}

    def _channel(self, call: Call) -> str | None:
        channel = call.params.get("channel")
        if isinstance(channel, str) and channel[:1] in ("U", "W"):
            return "D" + channel  # posting to a user id lands in the DM, and Slack says which
        return channel if isinstance(channel, str) and channel else None

    def _message(self, call: Call, ts: str) -> dict[str, Any]:
        keys = ("text", "blocks", "attachments", "thread_ts", "metadata")
        return {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        } | {key: call.params[key] for key in keys if key in call.params}

    def _post_message(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not any(call.params.get(key) for key in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        return {"ok": True, "channel": channel, "ts": ts, "message": self._message(call, ts)}

    def _update_message(self, call: Call) -> dict[str, Any]:
        channel, ts = self._channel(call), call.params.get("ts")
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(ts, str) or not ts:
            return {"ok": False, "error": "message_not_found"}
        message = self._message(call, ts)
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": message,
        }

    def _open_conversation(self, call: Call) -> dict[str, Any]:
        if isinstance(channel := call.params.get("channel"), str) and channel:
            return {"ok": True, "channel": {"id": channel}}
        users = [u for u in str(call.params.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        prefix = "D" if len(users) == 1 else "G"
        return {"ok": True, "channel": {"id": prefix + "".join(users)}}

    def _view(self, call: Call) -> dict[str, Any]:
        given = call.params.get("view")
        if isinstance(given, str):
            given = _maybe_json(given)
        if not isinstance(given, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = call.params.get("view_id") or self._next_id("V")
        view = {
            "type": "home" if call.method == "views.publish" else "modal",
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": call.params.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._next_ts(),
            "root_view_id": view_id,
            "previous_view_id": None,
        }
        return {"ok": True, "view": view | given | {"id": view_id}}

    def _user_info(self, call: Call) -> dict[str, Any]:
        user_id = call.params.get("user")
        if not isinstance(user_id, str) or not user_id:
            return {"ok": False, "error": "user_not_found"}
        name = f"User {user_id}"
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": name,
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "tz": "Europe/Berlin",
            "tz_label": "Central European Time",
            "tz_offset": 3600,  # Slack sends the offset in force today; use `tz` for dates
            "profile": {"real_name": name, "display_name": name},
        }
        return {"ok": True, "user": user | self.users.get(user_id, {})}

    def _users_list(self, call: Call) -> dict[str, Any]:
        """`fake.users`, a page at a time: `cursor` is where the page starts, as Slack's opaque
        next_cursor would be (https://docs.slack.dev/apis/web-api/pagination)."""
        ids = sorted(self.users)
        start = int(str(call.params.get("cursor") or "0"))
        limit = int(str(call.params.get("limit") or "100"))
        page = ids[start : start + limit]
        members = [self._user_info(Call("users.info", {"user": u}, {}, 0.0))["user"] for u in page]
        more = start + limit < len(ids)
        return {
            "ok": True,
            "members": members,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _lookup_by_email(self, call: Call) -> dict[str, Any]:
        # https://docs.slack.dev/reference/methods/users.lookupByEmail: case-insensitive.
        email = str(call.params.get("email", "")).casefold()
        found = {k.casefold(): v for k, v in self.emails.items()}.get(email)
        if found is None:
            return {"ok": False, "error": "users_not_found"}
        return self._user_info(Call(call.method, {"user": found}, call.headers, call.at))

    def _download(self, file_id: str, headers: dict[str, str], at: float) -> Reply:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        self._calls.append(Call(FILES, {"file": file_id}, headers, at, b"", token))
        if file_id in self.redirects:
            return Reply(status=302, body="", headers={"Location": self.redirects[file_id]})
        if not token.startswith("xox") or file_id not in self.files:
            return Reply(status=404, body="not found")
        return Reply(body=self.files[file_id], headers={"Content-Type": "application/octet-stream"})

    def _file_info(self, call: Call) -> dict[str, Any]:
        file_id = str(call.params.get("file", ""))
        if file_id not in self.files:
            return {"ok": False, "error": "file_not_found"}
        content = self.files[file_id]
        private = f"{self.url}{FILES}/{file_id}"
        file = {"id": file_id, "name": f"{file_id}.csv", "size": len(content)}
        return {"ok": True, "file": file | {"url_private_download": private}}

    def _team_info(self, call: Call) -> dict[str, Any]:
        # team.info has no time zone field; a workspace's zone must come from a person (users.info
        # `tz`) or a setting.
        team = {
            "id": call.params.get("team") or self.team_id,
            "name": self.team_name,
            "domain": "testteam",
            "email_domain": "",
            "url": "https://testteam.slack.com/",
            "icon": {"image_default": True},
        }
        return {"ok": True, "team": team | self.team}

    def _oauth_access(self, call: Call) -> dict[str, Any]:
        if not call.params.get("code"):
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": self.installer_id},
            "scope": "commands,chat:write,im:write,users:read",
            "token_type": "bot",
            "access_token": "xoxb-test",
            "bot_user_id": self.bot_user_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _upload_url(self, call: Call) -> dict[str, Any]:
        file_id = self._next_id("F")
        return {"ok": True, "upload_url": f"{self.url}{UPLOAD}/{file_id}", "file_id": file_id}

    def _complete_upload(self, call: Call) -> dict[str, Any]:
        files = call.params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = self.server.fake._receive(self.path, dict(self.headers.items()), body)
        self.server.fake._wait_if_held(urlsplit(self.path).path.lstrip("/").removeprefix("api/"))
        is_text = isinstance(reply.body, str)
        if isinstance(reply.body, bytes):
            data = reply.body
        else:
            data = (reply.body if isinstance(reply.body, str) else json.dumps(reply.body)).encode()
        self.send_response(reply.status)
        if not any(name.lower() == "content-type" for name in reply.headers):
            kind = "text/plain" if is_text else "application/json"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:  # quiet: no request log on stderr
        pass


@pytest.fixture(name="fake_slack")
def fake_slack_fixture() -> Iterator[FakeSlack]:
    """A started FakeSlack for one test. Named apart from its fixture name so that importing it
    (`from tests.fake_slack import fake_slack_fixture`) does not trip ruff's F811."""
    with FakeSlack() as fake:
        yield fake
