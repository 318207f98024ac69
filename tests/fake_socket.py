"""A fake of Slack's Socket Mode end: a real websocket server on loopback that slack_sdk's
Socket Mode client connects to, once FakeSlack's apps.connections.open hands out its URL.

    with FakeSocket() as socket:
        fake_slack.socket_url = socket.url
        ... start `stackbot socket` ...
        socket.connected.wait(30)
        socket.send({"envelope_id": "e1", "type": "slash_commands", "payload": {...}})
        ack = socket.wait_for_ack("e1")

Envelopes are shaped as https://docs.slack.dev/apis/events-api/using-socket-mode describes:
Slack sends `hello` first; every envelope is acked by sending back its `envelope_id`.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any, Self

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocket:
    def __init__(self) -> None:
        self.connected = threading.Event()
        # One queue per connection the client opened, the newest last: send() talks to it.
        self._outgoing: list[queue.Queue[dict[str, Any] | None]] = []
        self._lock = threading.Condition()
        self._received: list[dict[str, Any]] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "FakeSocket is not started"
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=test"

    def __enter__(self) -> Self:
        self._server = serve(self._talk, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.shutdown()
        self._thread.join(timeout=10)

    def send(self, envelope: dict[str, Any]) -> None:
        """To the newest connection."""
        with self._lock:
            self._outgoing[-1].put(envelope)

    def wait_for_connections(self, count: int, timeout: float = 30) -> None:
        """Until the client has opened `count` connections in all (reconnecting opens more)."""
        with self._lock:
            opened = self._lock.wait_for(lambda: len(self._outgoing) >= count, timeout)
        assert opened, f"{len(self._outgoing)} connections, not {count}, within {timeout} s"

    def wait_for_ack(self, envelope_id: str, timeout: float = 30) -> dict[str, Any]:
        """What the client sent back for `envelope_id`, waited for without polling."""
        with self._lock:
            found = self._lock.wait_for(lambda: self._ack(envelope_id), timeout)
        assert found, f"no ack for envelope {envelope_id} within {timeout} s"
        return found

    def _ack(self, envelope_id: str) -> dict[str, Any] | None:
        return next((m for m in self._received if m.get("envelope_id") == envelope_id), None)

    def _talk(self, connection: ServerConnection) -> None:
        outgoing: queue.Queue[dict[str, Any] | None] = queue.Queue()
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        sender = threading.Thread(target=self._send_all, args=(connection, outgoing), daemon=True)
        sender.start()
        with self._lock:
            self._outgoing.append(outgoing)
            self._lock.notify_all()
        self.connected.set()
        try:
            for message in connection:  # until the client closes
                with self._lock:
                    self._received.append(json.loads(message))
                    self._lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            outgoing.put(None)
            sender.join(timeout=10)

    def _send_all(
        self, connection: ServerConnection, outgoing: queue.Queue[dict[str, Any] | None]
    ) -> None:
        while (envelope := outgoing.get()) is not None:
            try:
                connection.send(json.dumps(envelope))
            except ConnectionClosed:
                return
