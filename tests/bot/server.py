"""`stackbot serve` as a real process, and requests signed the way Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine

from db.engine import session_scope
from db.tools import purge_workspace
from tests.fake_slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # a test signing secret, not a real one
_HOOKS = itertools.count(1)
_HANDED_OUT: set[int] = set()
ROOT = Path(__file__).parents[2]


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Message  # names compare case-insensitively, as in HTTP

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def free_port() -> int:
    """A port nothing listens on, and not one handed out before: a server started a moment
    ago may not have bound its port yet, and two servers on one port would answer as one."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


class Server:
    """One `stackbot serve` process on loopback, talking to a fake Slack (with a worker beside
    it unless `args` says otherwise)."""

    def __init__(
        self,
        *,
        database_url: str,
        slack_url: str,
        env: Mapping[str, str],
        # The web process only records slash commands: a worker beside it answers them.
        args: Sequence[str] = ("serve", "--with-worker"),
        fake: FakeSlack | None = None,
    ) -> None:
        self.fake = fake
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
            "DATABASE_URL": database_url,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack_url,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        # Its log goes to a file, so a test can read what it logged while it runs.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  # closed with the Server
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", *args],
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_healthy()

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def _wait_until_healthy(self, attempts: int = 600) -> None:
        # Polls the process, not the wall clock: each attempt is one connection try.
        for _ in range(attempts):
            if self.process.poll() is not None:
                raise RuntimeError(f"stackbot serve exited:\n{self.log()}")
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.05)  # the server is starting; this is not a test waiting on time
        raise RuntimeError("stackbot serve did not become healthy")

    def stop(self) -> str:
        """Stop it; what it logged."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log()

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Answer:
        return self._send(urllib.request.Request(self.url + path, headers=dict(headers or {})))

    def post(self, body: bytes, headers: Mapping[str, str], path: str = "/slack/events") -> Answer:
        request = urllib.request.Request(
            self.url + path, data=body, headers=dict(headers), method="POST"
        )
        return self._send(request)

    def signed(self, body: bytes, content_type: str, **extra: str) -> Answer:
        return self.post(body, {**sign(body), "Content-Type": content_type, **extra})

    def command(
        self,
        text: str,
        *,
        team: str,
        user: str,
        channel: str = "C0CHAN",
        reply: bool = True,
        hook: str | None = None,
    ) -> Answer:
        """Send `/stack text` as Slack would. stackbot acks at once and replies through the
        command's response_url, here the fake Slack (at `hook`, its method name there): with
        `reply`, the answer returned is that reply (as JSON), waited for; without it (a form
        opens instead), the HTTP ack."""
        hook = hook or f"response/{next(_HOOKS)}"
        fields = {
            "token": "legacy", "team_id": team, "team_domain": "acme", "channel_id": channel,
            "channel_name": "ai-infra", "user_id": user, "user_name": user.lower(),
            "command": "/stack", "text": text, "api_app_id": "A0APP",
            "response_url": (self.fake.url if self.fake else "http://127.0.0.1:9/") + hook,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
        }  # fmt: skip
        body = urlencode(fields).encode()
        ack = self.signed(body, "application/x-www-form-urlencoded")
        if not reply or ack.status != 200 or self.fake is None:
            return ack
        answered = self.fake.wait_for(hook)
        return Answer(200, json.dumps(answered.params).encode(), ack.headers)

    def interaction(self, payload: Mapping[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.signed(body, "application/x-www-form-urlencoded")

    def event(
        self, event: Mapping[str, Any], *, team: str, event_id: str, retry: int = 0
    ) -> Answer:
        envelope = {
            "token": "legacy", "team_id": team, "api_app_id": "A0APP", "event": dict(event),
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }  # fmt: skip
        extra = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return self.signed(json.dumps(envelope).encode(), "application/json", **extra)

    @staticmethod
    def _send(request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), error.headers)


TEAM = "T0TEAM"  # the one workspace a token server serves: the fake's auth.test says so


def team(server: Server) -> str:
    """The server's workspace, emptied: tests sharing one server cannot see each other."""
    engine = create_engine(server.database_url)
    with session_scope(engine) as session:
        purge_workspace(session=session, team_id=TEAM)
    engine.dispose()
    return TEAM


def sign(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: https://docs.slack.dev/authentication/verifying-requests-from-slack"""
    stamp = str(int(time.time()) if timestamp is None else timestamp)  # Slack's clock, read here
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def children(parent: int, marker: bytes) -> list[int]:
    """The processes `parent` started with `marker` as one word of their command line (read
    from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[1]) == parent and marker in cmdline:
            found.append(int(stat.parent.name))
    return found


class WorkerProcess:
    """One `stackbot worker` process, answering through a fake Slack."""

    def __init__(self, *, database_url: str, slack_url: str) -> None:
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack_url,
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "INFO",
        }
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  # closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"],
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_waiting()

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def _wait_until_waiting(self, attempts: int = 600) -> None:
        for _ in range(attempts):  # polls the process's log, not the wall clock
            if self.process.poll() is not None:
                raise RuntimeError(f"stackbot worker exited:\n{self.log()}")
            if "worker: waiting for commands" in self.log():
                return
            time.sleep(0.05)
        raise RuntimeError(f"stackbot worker did not start:\n{self.log()}")

    def stop(self) -> str:
        """SIGTERM, as a platform stops it; what it logged."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log()
