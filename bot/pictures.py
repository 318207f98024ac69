"""Pictures in Slack: a PNG in the person's DM, in the App Home, or under the digest."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.slack import display_name
from stack import Context
from stack.pictures import Drawing, NameOf, RenderError, draw, to_png
from templates.render import render

log = logging.getLogger(__name__)


def names(client: WebClient, team_id: str) -> NameOf:
    """Owners' names as Slack shows them (kept a few minutes by bot.slack)."""
    return lambda user_id: display_name(client, team_id, user_id)


def send_picture(
    client: WebClient, engine: Engine, context: Context, respond: Respond, kind: str
) -> None:
    """`/stack map image`, `/stack spend image`: the picture as a PNG file in the person's DM
    with stackbot (a file cannot be shown to one person in a channel). A failure is told to
    the person, who still has the text."""
    try:
        drawn = draw(
            engine, context.team_id, context.now, kind, where="dm",
            name_of=names(client, context.team_id),
        )  # fmt: skip
        if drawn is None:
            return
        opened = client.conversations_open(users=context.user_id)
        upload(client, [(drawn, to_png(drawn.svg))], channel=str(opened["channel"]["id"]))
    except RenderError:
        log.exception("the %s picture could not be drawn", kind)
        respond(**_failed(kind, "drawing_failed"))
    except SlackApiError as error:
        code = str(error.response.get("error") or "slack_error")
        log.warning("the %s picture could not be sent: %s", kind, code)
        respond(**_failed(kind, code))


def upload(
    client: WebClient,
    files: Sequence[tuple[Drawing, bytes]],
    *,
    channel: str | None,
    thread_ts: str | None = None,
) -> list[str]:
    """Upload the PNGs in one message (into `channel`'s `thread_ts`, or, with no channel,
    visible to the app alone) and return the files' ids."""
    extra: dict[str, Any] = {}
    if channel is not None:
        extra = {"channel": channel, "initial_comment": files[0][0].text}
        if thread_ts is not None:
            extra["thread_ts"] = thread_ts
    uploads = [
        {"file": png, "filename": d.filename, "title": d.title, "alt_txt": d.alt}
        for d, png in files
    ]
    answer = client.files_upload_v2(file_uploads=uploads, **extra)
    return [str(f["id"]) for f in answer["files"]]


def _failed(kind: str, reason: str) -> dict[str, Any]:
    message = render("picture_failed", kind=kind, reason=reason)
    return {"response_type": "ephemeral", "text": message["text"], "blocks": message["blocks"]}
