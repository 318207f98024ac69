"""One `stackbot serve` per test module, in token mode, on a fake Slack of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot.server import Server
from tests.fake_slack import FakeSlack


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve")
    running = Server(
        database_url=f"sqlite:///{folder}/stack.db",
        slack_url=slack.url,
        fake=slack,
        env={"SLACK_BOT_TOKEN": "xoxb-test"},
    )
    yield running
    running.stop()


@pytest.fixture
def fake(slack: FakeSlack) -> FakeSlack:
    """The module's fake Slack, its calls and scripts forgotten."""
    slack.reset()
    return slack
