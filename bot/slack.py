"""Small pieces every listener needs: the store, a Context from a payload, and who is an admin."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.commands import Context

ADMIN_CACHE_SECONDS = 300


def engine_of(context: BoltContext) -> Engine:
    engine = context["engine"]
    assert isinstance(engine, Engine)
    return engine


def unescape(text: str) -> str:
    """Slack escapes `&`, `<` and `>` that a person typed in a slash command; mentions and
    channels it sends as <@U…> and <#C…> stay as they are.
    https://docs.slack.dev/messaging/formatting-message-text"""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def stack_context(
    context: BoltContext, client: WebClient, *, user_id: str, channel_id: str | None = None
) -> Context:
    team_id = context.team_id or context.enterprise_id or ""
    return Context(
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        now=datetime.now(UTC),  # requests read the clock here, at the edge
        slack_admin=_admin_check(client, team_id, user_id),
    )


class _AdminCache:
    """users.info answers, kept a few minutes: admins change rarely, requests come often."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], tuple[float, bool]] = {}

    def get(self, key: tuple[str, str]) -> bool | None:
        with self._lock:
            found = self._answers.get(key)
        if found is None or time.monotonic() - found[0] > ADMIN_CACHE_SECONDS:
            return None
        return found[1]

    def put(self, key: tuple[str, str], value: bool) -> None:
        with self._lock:
            self._answers[key] = (time.monotonic(), value)


_ADMINS = _AdminCache()


def _admin_check(client: WebClient, team_id: str, user_id: str) -> Callable[[], bool]:
    def slack_admin() -> bool:
        cached = _ADMINS.get((team_id, user_id))
        if cached is not None:
            return cached
        try:
            user: dict[str, Any] = client.users_info(user=user_id)["user"]
        except SlackApiError:
            return False  # not knowing is not being an admin
        answer = bool(user.get("is_admin") or user.get("is_owner"))
        _ADMINS.put((team_id, user_id), answer)
        return answer

    return slack_admin
