"""manifest.yaml asks for what the app uses, no more and no less."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.app import SCOPES

MANIFEST = Path(__file__).parents[1] / "manifest.yaml"


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def test_it_asks_for_exactly_the_scopes_the_app_uses() -> None:
    assert manifest()["oauth_config"]["scopes"]["bot"] == list(SCOPES)


def test_it_declares_the_slash_command_with_escaping_on() -> None:
    [command] = manifest()["features"]["slash_commands"]
    assert command["command"] == "/stack"
    assert command["should_escape"] is True
    assert command["url"].endswith("/slack/events")


def test_it_subscribes_to_the_events_the_app_handles() -> None:
    settings = manifest()["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "user_change",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest()["features"]["app_home"]["home_tab_enabled"] is True
