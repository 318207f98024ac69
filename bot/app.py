"""The Bolt app: one factory, the store attached to every request, listeners registered once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot import metrics
from bot.listeners import register_listeners
from bot.outbound import request_client
from core.grammar import SUBCOMMAND_ALIASES, SUBCOMMANDS
from core.settings import Settings
from db import admins
from db.engine import session_scope
from templates.render import render

logger = logging.getLogger(__name__)

# The scopes the listeners use; manifest.yaml lists the same.
SCOPES = (
    "commands", "chat:write", "chat:write.public", "im:write", "users:read",
    "files:write", "files:read", "users:read.email",
)  # fmt: skip
OAUTH_STATE_SECONDS = 600
# Bolt answers Slack when a listener returns: every listener acks and leaves what calls Slack's
# API to a thread of its own (bot.slack.later), so nothing is gained by Bolt's other mode,
# which polls for ack() every 10 ms. bench/README.md has the figures.
PROCESS_BEFORE_RESPONSE = True


class ConfigurationError(ValueError):
    """Slack settings that cannot make a working app; the message says what is missing."""


class _NoTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, given the client built
    from that same token, warns that the token will be unused: true, and misleading."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


logging.getLogger("slack_bolt.App").addFilter(_NoTokenWarning())


def create_app(settings: Settings, engine: Engine, *, socket_mode: bool = False) -> App:
    """The app, over HTTP or (`socket_mode`) Socket Mode, which signs nothing."""
    client = request_client(settings.slack_bot_token, base_url=settings.slack_api_url)
    not_installed = render("error", code="not_installed")["text"]
    if not socket_mode and not settings.slack_signing_secret:
        raise ConfigurationError(
            "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from the app's Basic "
            "Information page on https://api.slack.com/apps"
        )
    common: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "",
        "process_before_response": PROCESS_BEFORE_RESPONSE,
        "client": client,
        "user_facing_authorize_error_message": not_installed,
        "request_verification_enabled": not socket_mode,
    }
    if settings.slack_client_id and settings.slack_client_secret:
        app = _oauth_app(settings, engine, common)
    elif settings.slack_bot_token:
        team_id = installed_team(client)
        app = _App(**common)  # the client carries the token
        app.middleware(_only_team(team_id, not_installed))
        # Slack sends these in single-workspace mode too; the token itself is in the
        # environment, so there is nothing to delete, only an answer to give.
        app.event("app_uninstalled")(_nothing)
        app.event("tokens_revoked")(_nothing)
    else:
        raise ConfigurationError(
            "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installed over OAuth)"
        )
    app.middleware(_attach(engine))
    app.middleware(_once_per_request(engine))
    app.middleware(_once_per_event(engine))
    register_listeners(app)
    app.error(_on_error)
    # Bolt logs a refused request with its whole body at INFO; bot.http logs one line instead.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    return app


def check_clock_settings(settings: Settings) -> None:
    """The clock posts as the bot token, or as each OAuth installation."""
    if settings.slack_client_id and settings.slack_client_secret:
        return
    if not settings.slack_bot_token:
        raise ConfigurationError(
            "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installed over OAuth)"
        )
    installed_team(request_client(settings.slack_bot_token, base_url=settings.slack_api_url))


def installed_team(client: WebClient) -> str:
    """The workspace SLACK_BOT_TOKEN belongs to; a token Slack refuses stops the start."""
    try:
        return str(client.auth_test()["team_id"])
    except SlackApiError as error:
        code = error.response.get("error")
        raise ConfigurationError(
            f"SLACK_BOT_TOKEN was refused by Slack ({code}): copy the Bot User OAuth Token "
            "(xoxb-...) again from the app's OAuth & Permissions page"
        ) from None
    except (SlackClientError, OSError) as error:
        raise ConfigurationError(
            f"Slack could not be reached at SLACK_API_URL to check SLACK_BOT_TOKEN ({error})"
        ) from None


def check_app_token(client: WebClient, app_token: str) -> None:
    """Socket Mode's token, asked for a socket URL once before the client asks: a token Slack
    refuses stops the start in one line (the client would log the refusal and raise)."""
    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = error.response.get("error")
        raise ConfigurationError(
            f"SLACK_APP_TOKEN was refused by Slack ({code}): copy the App-Level Token "
            "(xapp-..., scope connections:write) again from the app's Basic Information page"
        ) from None
    except (SlackClientError, OSError) as error:
        raise ConfigurationError(
            f"Slack could not be reached at SLACK_API_URL to check SLACK_APP_TOKEN ({error})"
        ) from None


def _oauth_app(settings: Settings, engine: Engine, common: dict[str, Any]) -> App:
    assert settings.slack_client_id is not None
    assert settings.slack_client_secret is not None
    installations = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_SECONDS, engine=engine)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(SCOPES),
        installation_store=installations,
        state_store=states,
    )
    # Without the cache every request costs an auth.test call (300-500 ms); ../shared/SLACK.md.
    authorize = InstallationStoreAuthorize(
        installation_store=installations,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        cache_enabled=True,
        logger=logger,
    )
    app = _App(
        oauth_settings=oauth,
        authorize=authorize,  # type: ignore[arg-type]  # Bolt takes an Authorize instance too
        installation_store=installations,
        **common,
    )
    # Uninstalling, or revoking the bot's token, deletes the workspace's tokens; its stack stays
    # until an admin runs `stackbot purge-workspace`.
    app.event("app_uninstalled")(_forget(installations))
    app.event("tokens_revoked")(_forget(installations))
    return app


def _forget(installations: SQLAlchemyInstallationStore) -> Callable[..., None]:
    def forget_tokens(event: dict[str, Any], context: BoltContext) -> None:
        """Bolt's own tokens_revoked listener deletes the bot row only, and every installation
        row keeps a copy of the bot token: so every row of the workspace goes."""
        tokens = event.get("tokens")
        tokens = tokens if isinstance(tokens, dict) else {}
        if event.get("type") == "app_uninstalled" or tokens.get("bot"):
            installations.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
            return
        for user_id in tokens.get("oauth") or []:
            installations.delete_installation(
                enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
            )

    return forget_tokens


def _nothing() -> None:
    return None


def _only_team(team_id: str, not_installed: str) -> Callable[..., Any]:
    """One workspace's token serves that workspace only: any other is told it is not installed,
    and nothing is made for it."""

    def only_installed_team(
        context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if context.team_id in (None, team_id):
            return next()
        logger.warning("refused a request from workspace %s: not installed there", context.team_id)
        return BoltResponse(status=200, body=not_installed if "command" in body else "")

    return only_installed_team


# What kind of request a body is, for the ack histogram: Slack's own names, a few of them.
KINDS = {
    "block_actions": "action", "view_submission": "view", "view_closed": "view",
    "block_suggestion": "options", "event_callback": "event", "shortcut": "shortcut",
}  # fmt: skip
_served_logger = logging.getLogger("stackbot.served")


class _App(App):
    """Bolt's App, timing every request up to its ack (HTTP and Socket Mode both come through
    dispatch; with process_before_response the ack goes when the listener returns) and logging
    each slash command in one INFO line: the workspace and the verb, never the text or the
    response_url."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = super().dispatch(req)
        took = time.perf_counter() - started
        body = req.body
        if "command" in body:
            kind, verb = "command", command_verb(str(body.get("text") or ""))
            metrics.count_command(verb)
            _served_logger.info(
                "/stack %s from %s: %d in %.0f ms",
                verb, req.context.team_id, response.status, took * 1000,
            )  # fmt: skip
        else:
            kind = KINDS.get(str(body.get("type")), "other")
        metrics.observe_ack(kind, took)
        return response


def command_verb(text: str) -> str:
    """The subcommand a command's text names, as the grammar knows it; anything else is
    "other", so that what a person typed never reaches a log line or a metric label."""
    word = text.strip().split(maxsplit=1)[0].lower() if text.strip() else "help"
    word = SUBCOMMAND_ALIASES.get(word, word)
    if word in SUBCOMMANDS or word in ("export", "import"):
        return word
    return "other"


def _attach(engine: Engine) -> Callable[..., Any]:
    def attach_store(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["engine"] = engine
        return next()

    return attach_store


def _once_per_request(engine: Engine) -> Callable[..., Any]:
    """Slack does not stop a recorded request from being sent again while its signature holds
    (5 minutes): a signature seen before is answered and nothing is done. Slack never sends one
    request twice itself; a retried event is signed anew."""

    def once_per_request(
        request: BoltRequest, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        signature = (request.headers.get("x-slack-signature") or [""])[0]
        if not signature:  # Socket Mode: nothing is signed, and nothing can be replayed
            return next()
        with session_scope(engine) as session:
            first = admins.first_sight(
                session=session, signature=signature[:80], now=datetime.now(UTC)
            )
        if not first:
            logger.warning("ignored a replayed request (its signature was seen already)")
            return BoltResponse(status=200, body="")
        return next()

    return once_per_request


def _once_per_event(engine: Engine) -> Callable[..., Any]:
    """Slack retries an event it thinks went unanswered (x-slack-retry-num); the work runs once.
    https://docs.slack.dev/apis/events-api/#retries"""

    def once_per_event(
        body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            with session_scope(engine) as session:
                first = admins.claim_event(
                    session=session, event_id=event_id, now=datetime.now(UTC)
                )
            if not first:
                return BoltResponse(status=200, body="")
        return next()

    return once_per_event


def _on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    logger.exception("listener failed", exc_info=error)
    if "command" in body:  # Slack shows a command's answer text to the person
        return BoltResponse(status=200, body=render("error", code="internal")["text"])
    # Anything else reads JSON or nothing: an empty 200 closes a form rather than break it.
    return BoltResponse(status=200, body="")
