"""Small pieces every listener needs: the store, a Context from a payload, and who is an admin."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from core.errors import Rejected
from core.importing import Lookup
from core.people import Person, person_from_slack
from stack import Context

USER_CACHE_SECONDS = 300
logger = logging.getLogger(__name__)


def later(work: Callable[..., object], *args: object) -> None:
    """Run `work` after Slack has its answer, on a thread of its own, started now: no queue to
    wait in, so a form's trigger (3 s) is used at once. Not a daemon thread: a worker stopping
    gracefully finishes it first. Nothing here must be lost if the worker dies: commands are
    rows (bot.recorded); this is for follow-ups a person can ask for again."""
    threading.Thread(target=_logged, args=(work, *args), name=f"later-{work.__name__}").start()


def _logged(work: Callable[..., object], *args: object) -> None:
    try:
        work(*args)
    except Exception:
        # A thread keeps its exception to itself; the log is where it can be seen.
        logger.exception("%s failed after the answer", work.__name__)


def engine_of(context: BoltContext) -> Engine:
    engine = context["engine"]
    assert isinstance(engine, Engine)
    return engine


def unescape(text: str) -> str:
    """Slack escapes `&`, `<` and `>` that a person typed in a slash command; mentions and
    channels it sends as <@U…> and <#C…> stay as they are.
    https://docs.slack.dev/messaging/formatting-message-text"""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def team_of(context: BoltContext) -> str:
    return context.team_id or context.enterprise_id or ""


def stack_context(
    context: BoltContext,
    client: WebClient,
    *,
    user_id: str,
    channel_id: str | None = None,
    named: Iterable[str] = (),
) -> Context:
    return person_context(
        client, team_id=team_of(context), user_id=user_id, channel_id=channel_id, named=named
    )


def asked(client: WebClient, who: Context, *, named: Iterable[str] = ()) -> Context:
    """`who` (team, person, channel and time only) with what Slack says about them added."""
    return person_context(
        client, team_id=who.team_id, user_id=who.user_id, channel_id=who.channel_id,
        named=named, now=who.now,
    )  # fmt: skip


def person_context(
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None = None,
    named: Iterable[str] = (),
    now: datetime | None = None,
) -> Context:
    """Who asks, and the people `named` as owners, as Slack describes them: asked here, before
    any transaction opens (users.info through `client`, each answer kept a few minutes)."""
    asker = _user(client, team_id, user_id)
    people = {}
    for other in dict.fromkeys(named):
        person = _person(_user(client, team_id, other))
        if person is not None:
            people[other] = person
    return Context(
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        now=now or datetime.now(UTC),  # requests read the clock here, at the edge
        slack_admin=_is_admin(asker),
        zone=_zone(asker),
        people=people,
    )


class _UserCache:
    """users.info answers, kept a few minutes: people change rarely, requests come often."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        with self._lock:
            found = self._answers.get(key)
        if found is None or time.monotonic() - found[0] > USER_CACHE_SECONDS:
            return None
        return found[1]

    def put(self, key: tuple[str, str], user: dict[str, Any]) -> None:
        with self._lock:
            self._answers[key] = (time.monotonic(), user)


_USERS = _UserCache()


def _user(client: WebClient, team_id: str, user_id: str) -> dict[str, Any]:
    """The person as Slack describes them; {} when Slack cannot say (not knowing is not being
    an admin)."""
    cached = _USERS.get((team_id, user_id))
    if cached is not None:
        return cached
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return {}
    found = user if isinstance(user, dict) else {}
    _USERS.put((team_id, user_id), found)
    return found


def _person(user: dict[str, Any]) -> Person | None:
    """None when Slack could not say: the name is then taken as given."""
    return person_from_slack(user) if user.get("id") else None


def display_name(client: WebClient, team_id: str, user_id: str) -> str | None:
    """What Slack shows for the person (display name, else real name); None when unknown."""
    user = _user(client, team_id, user_id)
    profile = user.get("profile")
    if not isinstance(profile, dict):
        profile = {}
    for name in (profile.get("display_name"), user.get("real_name"), user.get("name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def _is_admin(user: dict[str, Any]) -> bool:
    return bool(user.get("is_admin") or user.get("is_owner"))


def _zone(user: dict[str, Any]) -> str | None:
    zone = user.get("tz")
    return zone if isinstance(zone, str) and zone else None


def email_lookup(client: WebClient | None) -> Lookup:
    """Slack's users.lookupByEmail (scope users:read.email), asked once per email; without a
    client, an email is refused with what would work instead."""
    found: dict[str, str | None] = {}

    def lookup(email: str) -> str | None:
        key = email.casefold()
        if key not in found:
            found[key] = _ask(client, email)
        return found[key]

    return lookup


def _ask(client: WebClient | None, email: str) -> str | None:
    if client is None:
        raise Rejected("email_needs_slack", value=email)
    try:
        response = client.users_lookupByEmail(email=email)
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        if error.response.get("error") == "missing_scope":
            raise Rejected(
                "needs_scope", scope="users:read.email", what="look people up by email"
            ) from None
        raise Rejected("email_needs_slack", value=email) from None
    user = response.get("user") or {}
    user_id = user.get("id")
    return user_id if isinstance(user_id, str) and not user.get("deleted") else None
