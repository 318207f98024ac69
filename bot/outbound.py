"""Everything stackbot posts on its own: one place that posts, updates and DMs, paced and
retried, with typed errors the caller can act on.

Slack allows about one message per second per channel (bursts aside) and answers 429 with
Retry-After past that: https://docs.slack.dev/apis/web-api/rate-limits
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

from bot import metrics
from core.settings import Settings
from stack import Reply

# Errors that will not go away by trying again: the caller falls back or records them.
PERMANENT = frozenset(
    {
        "channel_not_found", "not_in_channel", "is_archived", "account_inactive",
        "token_revoked", "invalid_auth", "not_authed", "user_not_found", "cannot_dm_bot",
        "restricted_action", "msg_too_long", "invalid_blocks", "message_not_found",
    }
)  # fmt: skip
# The channel is unusable, but a DM to a person may still work.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# The workspace's token no longer works: nothing will post until it is installed again.
REVOKED = frozenset({"token_revoked", "invalid_auth", "account_inactive", "not_authed"})
PER_CHANNEL_INTERVAL = 1.0
logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A post Slack refused. `code` is Slack's error; `permanent` says whether trying again
    later can help (rate limits and server errors are retried before this is raised)."""

    def __init__(self, code: str, *, channel: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.channel = channel
        self.permanent = code in PERMANENT

    @property
    def channel_gone(self) -> bool:
        return self.code in CHANNEL_GONE

    @property
    def revoked(self) -> bool:
        return self.code in REVOKED


class _CountRateLimits(RetryHandler):
    """Retries nothing: counts every 429 for /metrics, first in the list so that it sees each
    one, retried or not."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1 << 30)

    def _can_retry(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:  # fmt: skip
        if response is not None and response.status_code == 429:
            metrics.count_rate_limited()
        return False


def retry_handlers(
    *, rate_limit_retries: int = 2, server_error_retries: int = 2
) -> list[RetryHandler]:
    """For the clock's client: connection errors, 429 (honouring Retry-After) and 5xx."""
    return [
        _CountRateLimits(),
        ConnectionErrorRetryHandler(),
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ServerErrorRetryHandler(max_retry_count=server_error_retries),
    ]


def make_client(token: str | None, *, base_url: str) -> WebClient:
    return WebClient(token=token, base_url=base_url, retry_handlers=retry_handlers())


# What a request's client waits at most: a person is watching, so one quick retry of each kind,
# and a rate limit is waited out only when Slack asks for a short pause.
REQUEST_RETRY_AFTER_MAX = 3
REQUEST_TIMEOUT = 5


class _ShortRateLimitRetry(RateLimitErrorRetryHandler):
    def _can_retry(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:  # fmt: skip
        if response is None or response.status_code != 429:
            return False
        waits = [v for k, v in response.headers.items() if k.lower() == "retry-after"]
        try:
            return int(waits[0][0]) <= REQUEST_RETRY_AFTER_MAX if waits else True
        except (ValueError, IndexError):
            return False


def request_retry_handlers() -> list[RetryHandler]:
    """The same kinds as the clock's, bounded for a request's client."""
    return [
        _CountRateLimits(),
        ConnectionErrorRetryHandler(max_retry_count=1),
        _ShortRateLimitRetry(max_retry_count=1),
        ServerErrorRetryHandler(max_retry_count=1),
    ]


def request_client(token: str | None, *, base_url: str) -> WebClient:
    return WebClient(
        token=token, base_url=base_url, timeout=REQUEST_TIMEOUT,
        retry_handlers=request_retry_handlers(),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Posted:
    channel: str
    ts: str


class Poster:
    """Posts, updates and DMs through one client, at most one message a second per channel.

    `clock` and `sleep` are passed in so a test can pace without waiting.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        interval: float = PER_CHANNEL_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def post(self, channel: str, message: dict[str, Any], *, paced: bool = True) -> Posted:
        """Post `message`; `paced=False` when the caller already waited its turn."""
        if paced:
            self.wait_turn(channel)
        response = self._call(
            channel, self.client.chat_postMessage, channel=channel, **_parts(message)
        )
        return Posted(channel=str(response["channel"]), ts=str(response["ts"]))

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> Posted:
        self.wait_turn(channel)
        response = self._call(
            channel, self.client.chat_update, channel=channel, ts=ts, **_parts(message)
        )
        return Posted(channel=str(response["channel"]), ts=str(response["ts"]))

    def dm(self, user_id: str, message: dict[str, Any]) -> Posted:
        opened = self._call(user_id, self.client.conversations_open, users=user_id)
        return self.post(str(opened["channel"]["id"]), message)

    def wait_turn(self, channel: str) -> None:
        """Sleep until `channel` may take another message (one a second)."""
        with self._lock:
            now = self._clock()
            turn = max(now, self._next.get(channel, now))
            self._next[channel] = turn + self.interval
        if turn > now:
            self._sleep(turn - now)

    def _call(self, target: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error") or f"http_{error.response.status_code}")
            raise DeliveryError(code, channel=target) from error


def _parts(message: dict[str, Any]) -> dict[str, Any]:
    return {"text": message["text"], "blocks": message.get("blocks", [])}


def post_reply(client: WebClient, reply: Reply, *, channel_id: str | None, user_id: str) -> None:
    """A form's result, after the form was answered: to the channel it was opened from, else (or
    if that fails, rate limits included once retried) to the person who sent it."""
    payload = reply.response()
    payload.pop("response_type")
    if channel_id:
        try:
            client.chat_postMessage(channel=channel_id, **payload)
            return
        except SlackApiError as error:
            if error.response.get("error") in REVOKED:
                raise
    client.chat_postMessage(channel=user_id, **payload)


def send_posts(client: WebClient, reply: Reply) -> int:
    """What a command asks to post besides its answer (a proposal's review post, a note to a
    proposer): one attempt each. A post that fails is logged; what it announced is in the store
    (`/stack proposals` lists it). Returns how many went out."""
    sent = 0
    for post in reply.posts:
        try:
            client.chat_postMessage(channel=post.to, **_parts(post.message))
        except SlackApiError as error:
            logger.warning("post to %s failed: %s", post.to, error.response.get("error"))
            continue
        sent += 1
    return sent


class Directory:
    """Who stackbot can post as in each workspace: the bot token from the environment (one
    workspace) or from the OAuth installation store (many). One Poster per workspace, so
    pacing holds across a whole pass."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None = None,
        installations: InstallationStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base_url = base_url
        self._token = token
        self._installations = installations
        self._clock = clock
        self._sleep = sleep
        self._posters: dict[str, Poster | None] = {}
        self._single_team: str | None = None
        self._lock = threading.Lock()

    def poster(self, team_id: str) -> Poster | None:
        """None when stackbot is not installed in that workspace (nothing can be posted)."""
        with self._lock:
            if team_id in self._posters:
                return self._posters[team_id]
        # Looked up outside the lock, so threads on other workspaces do not wait for it.
        token = self._token_for(team_id)
        made = (
            Poster(
                make_client(token, base_url=self._base_url), clock=self._clock, sleep=self._sleep
            )
            if token
            else None
        )
        with self._lock:  # the clock asks from several threads at once; the first one wins
            return self._posters.setdefault(team_id, made)

    def installer(self, team_id: str) -> str | None:
        """The person who installed stackbot, the last resort for a message nobody else got."""
        if self._installations is None:
            return None
        installation = self._installations.find_installation(enterprise_id=None, team_id=team_id)
        return installation.user_id if installation else None

    def workspace_admins(self, team_id: str) -> list[str]:
        """The workspace's admins and owners as Slack lists them (`users.list`: `is_admin`,
        `is_owner`), people only: who a review nobody else decides goes to when no stack admin
        was named. Empty when Slack cannot say: the reminder then names the next in line, and
        the pass goes on."""
        found: list[str] = []
        cursor = None
        while True:
            try:
                poster = self.poster(team_id)
                if poster is None:
                    return []
                page = poster.client.users_list(limit=200, cursor=cursor)
            except SlackApiError as error:
                logger.warning("users.list for %s: %s", team_id, error.response.get("error"))
                return found
            except OSError as error:  # Slack unreachable (URLError is an OSError)
                logger.warning("users.list for %s: %s", team_id, error)
                return found
            for member in page.get("members") or []:
                person = member.get("is_admin") or member.get("is_owner")
                gone = member.get("deleted") or member.get("is_bot") or member.get("is_app_user")
                if person and not gone and isinstance(member.get("id"), str):
                    found.append(member["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return found

    def _token_for(self, team_id: str) -> str | None:
        if self._installations is not None:
            bot = self._installations.find_bot(enterprise_id=None, team_id=team_id)
            return bot.bot_token if bot else None
        if self._token is None:
            return None
        if self._single_team is None:
            # One workspace: the token says which (auth.test), and only that one is posted to.
            answer = make_client(self._token, base_url=self._base_url).auth_test()
            self._single_team = str(answer["team_id"])
        return self._token if team_id == self._single_team else None


def directory(settings: Settings, engine: Engine) -> Directory:
    """Who stackbot posts as: the bot token, or each workspace's OAuth installation."""
    installations = None
    if settings.slack_client_id:
        installations = SQLAlchemyInstallationStore(
            client_id=settings.slack_client_id, engine=engine
        )
    return Directory(
        base_url=settings.slack_api_url, token=settings.slack_bot_token, installations=installations
    )
