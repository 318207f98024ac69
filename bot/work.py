"""Slash-command work in a child process beside each web worker, at the lowest CPU priority.

`/stack` acks at once and leaves its work to a Bolt lazy listener (bot/listeners/commands). Run
in the web process, that work competes with the acks for the interpreter lock and the CPU, and
an ack is what Slack times out after 3 s, while a reply through `response_url` may come for 30
minutes. So under `stackbot serve` each web worker acks the command in a middleware (`HandOver`)
and hands its work to a child process (`python -m bot.work`): the request's body and headers go
over a Unix socket, and the child dispatches them through its own copy of the app, which runs
only the named lazy listener.

- The middleware runs after Bolt has checked the signature and the installation, and before
  any listener: it skips Bolt's copy of the request for a lazy listener, which cost four times
  what the rest of the ack does.
- The child runs as SCHED_IDLE (nice 19 where that policy does not exist): when the machine is
  busy the kernel serves the acks first, and when it is not, the work runs at once.
- Handing over is one non-blocking `send` on the request thread: no thread to wake, nothing to
  wait for. If the child falls behind and the socket is full, the job waits in memory for a
  thread that sends it when there is room, so an ack never waits on the child.
- Jobs live in memory, as Bolt's own lazy threads keep them. A stopping web worker gives its
  child `DRAIN_SECONDS` to finish; a child that dies is started again. The child stops when its
  web worker's end of the socket closes, for whatever reason.

bench/README.md has the figures behind this.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.util.utils import get_name_for_callable

logger = logging.getLogger(__name__)

WORK_THREADS = 8  # the work waits on Slack's API and the store as much as it computes
DRAIN_SECONDS = 4.0  # twice, under gunicorn's graceful_timeout (bot.serve): then it kills
# The largest job handed over; a slash command's body is a few KB.
MAX_JOB_BYTES = 1 << 20
# A job takes about 2 KB of a socket's buffer; the default 208 KB holds about 90 of them. A
# larger buffer lets a burst of commands be handed over without the sender thread.
SEND_BUFFER_BYTES = 4 << 20

# Headers Bolt reads to run one lazy listener and skip the ack; its Lambda adapter does the same.
LAZY_ONLY = "x-slack-bolt-lazy-only"
LAZY_NAME = "x-slack-bolt-lazy-function-name"


def supported() -> bool:
    """Linux: its sequenced-packet Unix sockets keep each job whole and tell the child when its
    web worker is gone, and it has SCHED_IDLE. Elsewhere the work stays on Bolt's threads."""
    return sys.platform.startswith("linux")


class WorkProcess:
    """A web worker's child process and the socket to it."""

    def __init__(self, command: Sequence[str] = (sys.executable, "-m", "bot.work")) -> None:
        self._command = tuple(command)
        self._lock = threading.Lock()
        self._waiting: deque[bytes] = deque()  # jobs the socket had no room for, in order
        self._room = threading.Condition(self._lock)
        self._closed = False
        self._socket, self._process = self._spawn()
        self._sender = threading.Thread(target=self._send_waiting, name="work-sender", daemon=True)
        self._sender.start()
        atexit.register(self.close)

    @property
    def child(self) -> subprocess.Popen[bytes]:
        """The child process taking the work now."""
        return self._process

    def hand_over(self, request: BoltRequest, lazy: str) -> None:
        """Have the child run the lazy listener named `lazy` on `request`."""
        job = encode(request, lazy)
        if len(job) > MAX_JOB_BYTES:  # Slack sends a few KB; this is not a Slack request
            logger.error("lazy listener %s not run: %d bytes is too large", lazy, len(job))
            return
        with self._lock:
            if self._closed:
                logger.error("lazy listener %s not run: shutting down", lazy)
                return
            if not self._waiting and self._send(job, block=False):
                return
            self._waiting.append(job)
            self._room.notify()

    def close(self) -> None:
        """Stop taking work; send what waits, then give the child `DRAIN_SECONDS` to finish."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._room.notify()
        self._sender.join(DRAIN_SECONDS)
        with contextlib.suppress(OSError):  # a child already gone has nothing to read
            self._socket.shutdown(socket.SHUT_WR)  # the child reads to the end, then finishes
        try:
            self._process.wait(DRAIN_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("the work process did not finish in %.0f s; stopping it", DRAIN_SECONDS)
            self._process.kill()
            self._process.wait()
        self._socket.close()

    def _spawn(self) -> tuple[socket.socket, subprocess.Popen[bytes]]:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Room for a burst: the kernel caps this at net.core.wmem_max.
        mine.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        with theirs:
            process = subprocess.Popen(
                [*self._command, str(theirs.fileno())], pass_fds=[theirs.fileno()]
            )
        return mine, process

    def _send(self, job: bytes, *, block: bool) -> bool:
        """Called with the lock held, or by the sender alone. False: no room, try later."""
        flags = socket.MSG_NOSIGNAL | (0 if block else socket.MSG_DONTWAIT)
        try:
            self._socket.send(job, flags)
        except BlockingIOError:
            return False
        except (BrokenPipeError, ConnectionResetError):
            if self._closed:
                logger.error("a job was not run: the work process stopped first")
                return True
            # The child died; what it had not read is lost, as it would be with threads.
            logger.error("the work process exited (code %s); starting another", self._restart())
            return self._send(job, block=block)
        except OSError:
            logger.exception("a job could not be handed over, so it was not run")
        return True

    def _restart(self) -> int | None:
        self._socket.close()
        self._process.wait()
        code = self._process.returncode
        self._socket, self._process = self._spawn()
        return code

    def _send_waiting(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._closed:
                    self._room.wait()
                if not self._waiting:
                    return
                job = self._waiting[0]
            self._send(job, block=True)  # only this thread sends while jobs wait
            with self._lock:
                self._waiting.popleft()


class HandOver(Middleware):
    """Acks the slash command `command` with an empty 200 and hands its work to the child,
    which runs the lazy listener `lazy` (registered for `command` in both apps)."""

    def __init__(self, command: str, lazy: Callable[..., None], work: WorkProcess) -> None:
        self._command = command
        self._lazy = get_name_for_callable(lazy)
        self._work = work

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        if req.body.get("command") != self._command:
            return next()
        self._work.hand_over(req, self._lazy)
        return BoltResponse(status=200, body="")


def encode(request: BoltRequest, lazy: str) -> bytes:
    headers = {**request.headers, LAZY_ONLY: ["1"], LAZY_NAME: [lazy]}
    return json.dumps({"body": request.raw_body, "headers": headers}).encode()


def decode(job: bytes) -> BoltRequest:
    fields: dict[str, Any] = json.loads(job)
    return BoltRequest(body=fields["body"], headers=fields["headers"])


def run_job(app: App, job: bytes) -> None:
    try:
        request = decode(job)
        response = app.dispatch(request)
    except Exception:
        # The pool keeps an exception to itself; the log is where it can be seen.
        logger.exception("a job handed over failed")
        return
    if response.status != 200:
        logger.error("lazy listener %s: HTTP %s", request.lazy_function_name, response.status)


def lower_priority() -> None:
    """SCHED_IDLE: preempted at once by any ordinary task that wakes up, such as an ack."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)


def main(argv: Sequence[str]) -> int:
    """The child: `python -m bot.work FD`, FD its end of the socket; the rest from the same
    environment its web worker read."""
    from bot.app import create_app
    from core.settings import Settings
    from db import open_store

    lower_priority()  # before any thread starts: every thread inherits it
    # A stop signal goes to the web worker too; the child ends when the worker's end closes, so
    # what was handed over is not lost on the way.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = Settings.from_environ(os.environ)
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s %(message)s")
    jobs = socket.socket(fileno=int(argv[0]))
    # Requests were verified by the web worker; this socket takes nothing from outside.
    app = create_app(settings, open_store(settings.database_url), verify_requests=False)
    buffer = bytearray(MAX_JOB_BYTES)  # one buffer for every read, not a fresh megabyte each
    with jobs, ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="work") as pool:
        while size := jobs.recv_into(buffer):  # 0: the web worker closed its end
            pool.submit(run_job, app, bytes(buffer[:size]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
