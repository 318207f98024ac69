"""`stackbot serve --with-worker --with-clock`: the whole app as one process tree, for a small
single-host install."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.server import Server, children
from tests.fake_slack import FakeSlack

TEAM = "T0TEAM"


@pytest.mark.process
def test_it_serves_with_a_worker_and_the_clock_beside_it(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    server = Server(
        database_url=f"sqlite:///{tmp_path}/stack.db",
        slack_url=fake_slack.url,
        fake=fake_slack,
        env={"SLACK_BOT_TOKEN": "xoxb-test", "LOG_LEVEL": "INFO"},
        args=("serve", "--with-worker", "--with-clock"),
    )
    try:
        assert server.get("/healthz").status == 200
        answer = server.command("add vLLM", team=TEAM, user="UALICE")
        assert answer.json()["response_type"] == "in_channel"
        beside = children(server.process.pid, b"clock") + children(server.process.pid, b"worker")
        assert len(beside) == 2
    finally:
        server.stop()
    for pid in beside:
        assert not Path(f"/proc/{pid}").exists() or "Z" in zombie_state(pid)


def zombie_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
