"""manifest.yaml asks for what the app uses, no more and no less."""

from __future__ import annotations

import re
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


# Each Web API method stackbot calls, and the bot scope it needs (none for views.*).
# https://docs.slack.dev/reference/methods
METHOD_SCOPES = {
    "auth_test": None, "chat_postMessage": "chat:write", "chat_update": "chat:write",
    "conversations_open": "im:write", "users_info": "users:read", "views_open": None,
    "views_push": None, "views_update": None, "views_publish": None,
    "files_upload_v2": "files:write", "files_delete": "files:write", "files_info": "files:read",
    "users_lookupByEmail": "users:read.email", "users_list": "users:read",
    # Socket Mode's: called with the app-level token, whose scope (connections:write) is the
    # app's, not the bot's.
    "apps_connections_open": None,
}  # fmt: skip
ROOT = Path(__file__).parents[1]


def code() -> str:
    return "\n".join(p.read_text() for room in ("bot", "jobs") for p in (ROOT / room).rglob("*.py"))


def test_every_scope_is_one_the_code_needs_and_every_call_has_its_scope() -> None:
    families = "auth|chat|conversations|users|views|files|team|reactions|bots|apps"
    called = set(re.findall(rf"client\.((?:{families})_[A-Za-z0-9_]+)", code()))
    assert called, "no Web API calls found: the pattern is out of date"
    assert called <= set(METHOD_SCOPES), f"a Web API method with no scope listed: {called}"
    # /stack needs `commands`; posting to a channel stackbot was not invited to,
    # chat:write.public (reminders and digests go to channels set by name).
    needed = {METHOD_SCOPES[m] for m in called} - {None} | {"commands", "chat:write.public"}
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_it_subscribes_to_exactly_the_events_it_listens_for() -> None:
    listened = set(re.findall(r'app\.event\("([a-z_]+)"\)', code()))
    assert set(manifest()["settings"]["event_subscriptions"]["bot_events"]) == listened


def test_the_messages_tab_shows_stackbot_s_dms_read_only() -> None:
    home = manifest()["features"]["app_home"]
    assert home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is True
