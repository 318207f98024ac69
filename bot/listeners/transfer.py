"""`/stack export` posts the stack to the person as a file; `/stack import` opens a form with a
file input, sends a dry-run preview by direct message, and imports only when its button is
pressed. Scopes: files:write (the export), files:read (the chosen file), users:read.email
(owners given by email)."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.listeners.press import Press, acked
from bot.slack import asked, email_lookup
from core.errors import Rejected
from stack.base import Context, refusal
from stack.files import (
    MAX_FILE,
    export_file,
    file_refusal,
    import_file,
    may_import,
    parse_transfer,
)  # fmt: skip
from templates.render import Message, render, render_view

logger = logging.getLogger(__name__)


def register_transfer(app: App) -> None:
    """The import form and its preview's button, each acked at once and done after the ack."""
    app.view("import_form")(acked(import_form_submitted))
    app.action("import_apply")(acked(import_apply))


def transfer_command(
    engine: Engine, who: Context, text: str, command: dict[str, Any], client: WebClient,
    respond: Respond,
) -> bool:  # fmt: skip
    """Handle `/stack export …` or `/stack import`; False for any other command."""
    stack = asked(client, who)
    try:
        transfer = parse_transfer(text)
    except Rejected as rejected:
        respond(**_ephemeral(file_refusal(rejected.code, **rejected.details)))
        return True
    if transfer is None:
        return False
    if transfer.verb == "export":
        name, content, count = export_file(engine, stack, transfer.fmt, stack.now.date())
        comment = render("export_sent", filename=name, count=count)
        try:
            client.files_upload_v2(
                channel=_dm(client, stack.user_id), content=content, filename=name, title=name,
                initial_comment=comment["text"],
            )  # fmt: skip
        except SlackApiError as error:
            if error.response.get("error") != "missing_scope":
                raise
            comment = file_refusal("needs_scope", scope="files:write", what="send you a file")
        respond(**_ephemeral(comment))
        return True
    refused = may_import(engine, stack)
    if refused is not None:
        respond(**refused.response())
        return True
    try:
        client.views_open(
            trigger_id=str(command.get("trigger_id")), view=render_view("import_form")
        )
    except SlackApiError as error:
        if error.response.get("error") != "expired_trigger_id":
            raise
        respond(**refusal(Rejected("form_expired", command="import")).response())
    return True


def import_form_submitted(press: Press) -> None:
    """The chosen file, checked as a dry run; the preview goes to the person by DM."""
    view = press.body.get("view")
    files = _files(view if isinstance(view, dict) else {})
    if not files:
        _tell(press.client, press.stack.user_id, file_refusal("no_file"))
        return
    _run(press.engine, press.stack, press.client, str(files[0].get("id") or ""), dry_run=True)


def import_apply(press: Press) -> None:
    """The preview's button: the same file imported for real; the preview becomes the result."""
    body, client = press.body, press.client
    message = _run(press.engine, press.stack, client, press.value, dry_run=False)
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
    if message is not None and channel and ts:
        client.chat_update(channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])


def _run(
    engine: Engine, stack: Context, client: WebClient, file_id: str, *, dry_run: bool
) -> Message | None:
    """Download and import (or dry-run) the file; a dry run's preview, or any refusal, is sent
    to the person; the import's result is returned for the caller to show."""
    refused = may_import(engine, stack)
    if refused is not None:
        _tell(client, stack.user_id, refused.message)
        return None
    try:
        name, data = download(client, file_id)
    except Rejected as rejected:
        _tell(client, stack.user_id, file_refusal(rejected.code, **rejected.details))
        return None
    message = import_file(
        engine, stack, data, name=name, dry_run=dry_run, lookup=email_lookup(client),
        file_id=file_id,
    )  # fmt: skip
    if dry_run:
        _tell(client, stack.user_id, message)
        return None
    return message


def download(client: WebClient, file_id: str) -> tuple[str, bytes]:
    """A file the person shared with the form, read with the bot token (scope files:read). The
    token is sent only to Slack's own file host, or to the API host this client talks to."""
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as error:
        if error.response.get("error") == "missing_scope":
            raise Rejected("needs_scope", scope="files:read", what="read the file") from None
        raise Rejected("file_unreadable") from None
    size = int(info.get("size") or 0)
    if size > MAX_FILE:
        raise Rejected("file_too_big", size=_megabytes(size), limit=_megabytes(MAX_FILE))
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not _trusted(url, client.base_url):
        raise Rejected("file_unreadable")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    opener = urllib.request.build_opener(_SlackHostsOnly(client.base_url))
    try:
        with opener.open(request, timeout=30) as response:
            data: bytes = response.read(MAX_FILE + 1)
    except (urllib.error.URLError, TimeoutError):
        raise Rejected("file_unreadable") from None
    if len(data) > MAX_FILE:
        raise Rejected(
            "file_too_big", size="more than " + _megabytes(MAX_FILE), limit=_megabytes(MAX_FILE)
        )
    return str(info.get("name") or "the file"), data


class _SlackHostsOnly(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a host the token may go to: urllib copies every header,
    Authorization included, onto the next hop."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:  # fmt: skip
        if not _trusted(newurl, self.base_url):
            raise Rejected("file_unreadable")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _trusted(url: str, base_url: str) -> bool:
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme == "https" and (parts.hostname or "").endswith(".slack.com"):
        return True
    return (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _files(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The file_input's files: https://docs.slack.dev/reference/block-kit/block-elements/file-input-element"""
    element = view.get("state", {}).get("values", {}).get("file", {}).get("file", {})
    files = element.get("files") if isinstance(element, dict) else None
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def _dm(client: WebClient, user_id: str) -> str:
    return str(client.conversations_open(users=user_id)["channel"]["id"])


def _tell(client: WebClient, user_id: str, message: Message) -> None:
    client.chat_postMessage(
        channel=_dm(client, user_id), text=message["text"], blocks=message["blocks"]
    )


def _ephemeral(message: Message) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": message["text"], "blocks": message["blocks"]}
