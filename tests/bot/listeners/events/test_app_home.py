from __future__ import annotations

from pathlib import Path

from bot.listeners.events.app_home import app_home_opened
from bot.listeners.press import Press
from bot.slack import person_context
from db import open_store
from tests.fake_slack import FakeSlack


def press(tmp_path: Path, fake: FakeSlack, event: dict[str, object]) -> Press:
    client = fake.client()
    stack = person_context(client, team_id="T0TEAM", user_id="UALICE")
    engine = open_store(f"sqlite:///{tmp_path}/s.db")
    return Press(engine, stack, client, {"event": event}, None)


def test_it_publishes_the_home_tab_only(tmp_path: Path, fake_slack: FakeSlack) -> None:
    app_home_opened(press(tmp_path, fake_slack, {"user": "UALICE", "tab": "messages"}))
    assert fake_slack.calls_to("views.publish") == []
    app_home_opened(press(tmp_path, fake_slack, {"user": "UALICE", "tab": "home"}))
    [published] = fake_slack.calls_to("views.publish")
    assert published.params["user_id"] == "UALICE"
    assert published.params["view"]["type"] == "home"
