"""The map as a picture at the top of the App Home.

Slack shows an image block either from a public `image_url` or from a file in Slack
(`slack_file`), and stackbot has no public place to put a picture of a company's stack. So the
PNG is uploaded with files upload v2 into no channel at all, which leaves it visible to the
app alone, and the Home names it with `slack_file: {"id": ...}`: the app that posts a block
needs access to the file, and has it
(https://docs.slack.dev/reference/block-kit/composition-objects/slack-file-object).

Slack finishes an upload in the background, and a block naming a file it has not finished is
refused as `invalid_blocks`; so the picture is published after the text Home, and tried again
after 1, 2 and 4 seconds. A workspace's file is kept per process for as long as its picture is
unchanged, so opening the Home again costs no upload; a replaced file is deleted.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.pictures import names, upload
from stack import Context
from stack.pictures import RenderError, draw, to_png

logger = logging.getLogger(__name__)

WAITS = (1.0, 2.0, 4.0)  # seconds between tries while Slack finishes the upload
NOT_READY = frozenset({"invalid_blocks", "invalid_arguments"})

_lock = threading.Lock()
_files: dict[str, tuple[str, str]] = {}  # team id -> (digest of the picture, file id)


def home_image(client: WebClient, engine: Engine, context: Context) -> dict[str, Any] | None:
    """The image block for the Home, uploading the picture when it changed; None when it
    cannot be drawn or uploaded (the Home then shows the text map alone)."""
    try:
        drawn = draw(
            engine, context.team_id, context.now, "map", where="home",
            name_of=names(client, context.team_id),
        )  # fmt: skip
        if drawn is None:
            return None
        digest = hashlib.sha256(drawn.svg.encode()).hexdigest()
        with _lock:
            known = _files.get(context.team_id)
        if known is not None and known[0] == digest:
            file_id = known[1]
        else:
            [file_id] = upload(client, [(drawn, to_png(drawn.svg))], channel=None)
            with _lock:
                _files[context.team_id] = (digest, file_id)
            if known is not None:
                _delete(client, known[1])
    except (RenderError, SlackApiError) as error:
        logger.warning("home picture for %s not made: %s", context.team_id, error)
        return None
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": drawn.alt,
        "title": {"type": "plain_text", "text": drawn.title},
    }


def with_image(view: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    """`view` with the picture above the text map: after the header and the buttons."""
    blocks = list(view["blocks"])
    at = next((i + 1 for i, b in enumerate(blocks) if b.get("type") == "actions"), 1)
    return {**view, "blocks": [*blocks[:at], block, *blocks[at:]][:100]}


def publish_with_image(
    client: WebClient,
    user_id: str,
    view: dict[str, Any],
    block: dict[str, Any],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Publish `view` with the picture, waiting for Slack to finish the file; True when shown."""
    for wait in (*WAITS, None):
        try:
            client.views_publish(user_id=user_id, view=with_image(view, block))
        except SlackApiError as error:
            if error.response.get("error") not in NOT_READY or wait is None:
                logger.warning("home picture not shown: %s", error.response.get("error"))
                return False
            sleep(wait)
            continue
        return True
    return False  # pragma: no cover - the loop returns on its last try


def _delete(client: WebClient, file_id: str) -> None:
    try:
        client.files_delete(file=file_id)
    except SlackApiError as error:  # an old picture left behind is untidy, not wrong
        logger.info("old home picture %s not deleted: %s", file_id, error.response.get("error"))


def forget(team_id: str | None = None) -> None:
    """Drop the kept file of `team_id` (one Slack would not show: the next Home uploads anew),
    or of every workspace."""
    with _lock:
        if team_id is None:
            _files.clear()
        else:
            _files.pop(team_id, None)


def publish_home_picture(
    client: WebClient, engine: Engine, context: Context, user_id: str, view: dict[str, Any]
) -> None:
    """After the text Home is up, the same Home with the map as a picture above it."""
    block = home_image(client, engine, context)
    if block is not None and not publish_with_image(client, user_id, view, block):
        forget(context.team_id)  # gone or refused: the next Home opened uploads it again
