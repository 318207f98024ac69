"""The Bolt app: one factory, the store attached to every request, listeners registered once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.listeners import register_listeners
from bot.slack import Shared
from bot.work import WorkProcess
from core.settings import Settings
from db import admins
from db.engine import session_scope
from templates.render import render

logger = logging.getLogger(__name__)

# The scopes the listeners use; manifest.yaml lists the same.
SCOPES = ("commands", "chat:write", "chat:write.public", "im:write", "users:read", "files:write")
OAUTH_STATE_SECONDS = 600
# Listeners ack before they work (the slash command's work runs as a lazy listener), so there is
# nothing to gain from Bolt's polling for ack() on another thread; bench/README.md has the
# figures behind this choice.
PROCESS_BEFORE_RESPONSE = True


class ConfigurationError(ValueError):
    """Slack settings that cannot make a working app; the message says what is missing."""


def create_app(
    settings: Settings,
    engine: Engine,
    *,
    process_before_response: bool = PROCESS_BEFORE_RESPONSE,
    socket_mode: bool = False,
    verify_requests: bool = True,
    work: WorkProcess | None = None,
) -> App:
    """The app. With `work`, the slash command's work goes to that child process (bot.work);
    without, to Bolt's threads. `verify_requests=False` only for the child's own app, fed
    requests its web worker verified; Socket Mode needs no signatures."""
    verify_requests = verify_requests and not socket_mode
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    not_installed = render("error", code="not_installed")["text"]
    common: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "",
        "process_before_response": process_before_response,
        "client": client,
        "user_facing_authorize_error_message": not_installed,
        "request_verification_enabled": verify_requests,
    }
    if verify_requests and not settings.slack_signing_secret:
        raise ConfigurationError(
            "SLACK_SIGNING_SECRET is needed to check that requests come from Slack"
        )
    if settings.slack_client_id and settings.slack_client_secret:
        app = _oauth_app(settings, engine, common)
    elif settings.slack_bot_token:
        app = App(**common)  # the client carries the token
    else:
        raise ConfigurationError(
            "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installed over OAuth)"
        )
    register_listeners(app, work)  # first: a command handed over needs no other middleware
    app.middleware(_attach(engine))
    app.middleware(_once_per_event(engine))
    app.error(_on_error)
    return app


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
    app = App(
        oauth_settings=oauth,
        authorize=authorize,  # type: ignore[arg-type]  # Bolt takes an Authorize instance too
        installation_store=installations,
        **common,
    )
    # app_uninstalled and tokens_revoked delete the workspace's tokens; its stack stays until an
    # admin runs `stackbot purge-workspace`.
    app.enable_token_revocation_listeners()
    return app


def _attach(engine: Engine) -> Callable[..., Any]:
    def attach_store(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["engine"] = Shared(engine)
        return next()

    return attach_store


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
    if body.get("type") == "event_callback":
        return BoltResponse(status=200, body="")  # claimed already: a retry would do nothing
    return BoltResponse(status=200, body=render("error", code="internal")["text"])
