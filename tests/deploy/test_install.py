"""What the image does, done without a container daemon: install stackbot as the Dockerfile
does (`uv sync --locked --no-dev --no-editable` into a fresh environment, so the installed
package runs, not this source tree), then run it as an unprivileged user with every secret read
from a file, and serve a slash command signed as Slack signs it."""

from __future__ import annotations

import hmac
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.deploy.files import ROOT
from tests.fake_slack import FakeSlack

NOBODY = 65534  # the unprivileged user every Debian system has
SIGNING_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # a test signing secret, not a real one
TEAM = "T0TEAM"  # the workspace the fake Slack's auth.test answers with

pytestmark = pytest.mark.process


def as_nobody() -> dict[str, Any]:
    """Popen arguments that drop to `nobody` when the tests run as root (as CI does); run as
    anyone else, the tests are unprivileged already."""
    if os.geteuid() != 0:
        return {}
    return {"user": NOBODY, "group": NOBODY, "extra_groups": []}


def interpreter() -> str:
    """A Python 3.11+ that an unprivileged user may run (one under /root is not)."""
    candidates = [sys.base_prefix + "/bin/python3", "/usr/bin/python3.11", "/usr/bin/python3"]
    for candidate in candidates:
        if not Path(candidate).exists():
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; assert sys.version_info >= (3, 11)"],
                capture_output=True,
                check=False,
                **as_nobody(),
            )
        except PermissionError:
            continue
        if probe.returncode == 0:
            return candidate
    pytest.skip(f"no Python 3.11+ an unprivileged user may run among {candidates}")


@pytest.fixture(scope="module")
def home() -> Iterator[Path]:
    """A folder the unprivileged user owns (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="stackbot-install-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def installed(home: Path) -> Path:
    """The environment's bin folder, installed the way the Dockerfile installs it."""
    uv = shutil.which("uv")
    assert uv, "uv is needed to install stackbot (.ci/run installs it)"
    environment = home / "venv"
    subprocess.run(
        [uv, "sync", "--locked", "--no-dev", "--no-editable", "--python", interpreter()],
        cwd=ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment), "UV_LINK_MODE": "copy"},
        check=True,
        capture_output=True,
        timeout=600,
    )
    for name in ("pytest", "mypy", "ruff", "hypothesis"):
        assert not list((environment / "lib").glob(f"python3.*/site-packages/{name}")), name
    return environment / "bin"


@pytest.fixture
def workdir(home: Path) -> Path:
    """The stackbot user's home: its database and its secret files."""
    folder = Path(tempfile.mkdtemp(dir=home))
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
    return folder


def secret(folder: Path, name: str, value: str) -> str:
    path = folder / name
    path.write_text(value + "\n")  # as `echo value > file` leaves it
    path.chmod(0o444)
    return str(path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def signed_command(url: str, text: str, response_url: str) -> int:
    fields = {
        "token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": "C0CHAN",
        "channel_name": "ai-infra", "user_id": "UALICE", "user_name": "alice",
        "command": "/stack", "text": text, "api_app_id": "A0APP",
        "response_url": response_url, "trigger_id": "trigger-1",
    }  # fmt: skip
    body = urlencode(fields).encode()
    stamp = str(int(time.time()))  # Slack's clock, read here
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, "sha256")
    request = urllib.request.Request(
        url + "/slack/events",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": "v0=" + digest.hexdigest(),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def test_it_serves_a_signed_command_installed_without_dev_tools_as_an_unprivileged_user(
    installed: Path, workdir: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    environment = {
        "PATH": f"{installed}:/usr/bin:/bin",
        "HOME": str(workdir),
        "DATABASE_URL_FILE": secret(workdir, "database_url", f"sqlite:///{workdir}/stack.db"),
        "SLACK_BOT_TOKEN_FILE": secret(workdir, "slack_bot_token", "xoxb-test"),
        "SLACK_SIGNING_SECRET_FILE": secret(workdir, "slack_signing_secret", SIGNING_SECRET),
        "SLACK_API_URL": fake_slack.url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115  # closed below
    server = subprocess.Popen(
        [str(installed / "stackbot"), "serve", "--with-worker"],  # a worker answers the command
        cwd=workdir,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        **as_nobody(),
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # connection attempts, not a wait on the wall clock
            assert server.poll() is None, f"stackbot serve exited: {read(log)}"
            try:
                if get(url + "/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"stackbot serve never answered /healthz: {read(log)}")

        uid = Path(f"/proc/{server.pid}/status").read_text().split("Uid:")[1].split()[0]
        assert int(uid) != 0
        assert signed_command(url, "add vLLM inference", fake_slack.url + "response/1") == 200
        reply = fake_slack.wait_for("response/1")
        assert reply.params["response_type"] == "in_channel"
        assert "vLLM" in str(reply.params)
    finally:
        server.terminate()
        server.wait(timeout=30)
        output = read(log)
        log.close()
    assert "xoxb-test" not in output
    assert SIGNING_SECRET not in output


def test_it_draws_the_map_with_the_fonts_it_was_installed_with(
    installed: Path, workdir: Path
) -> None:
    environment = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(workdir)}

    def stackbot(*args: str) -> None:
        subprocess.run(
            [str(installed / "stackbot"), *args],
            cwd=workdir,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
            **as_nobody(),
        )

    stackbot("demo", "--database", str(workdir / "demo.db"))
    environment["DATABASE_URL"] = f"sqlite:///{workdir}/demo.db"
    stackbot("map", "--team", "TDEMO", "--png", str(workdir / "map.png"))

    png = (workdir / "map.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 50_000, "a drawn map with its text, not an empty canvas"


def read(log: Any) -> str:
    log.seek(0)
    return str(log.read().decode(errors="replace"))
