"""/stack export and /stack import in Slack, against the fake Slack: the file goes to the
person, an import is previewed by DM and applied only from the preview's button."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import BoltContext, Respond
from sqlalchemy import Engine

from bot.listeners.press import Press
from bot.listeners.transfer import download, import_apply, import_form_submitted, transfer_command
from bot.slack import stack_context
from bot.worker import work_once
from core.errors import Rejected
from db import commands, open_store
from db.engine import session_scope
from db.tools import get_workspace, tool_names
from stack import Context, run_command
from tests.conftest import NOW
from tests.fake_slack import FakeSlack, Reply, error
from tests.slack_checks import all_text, assert_valid_message

ADMIN = "UADMIN"  # a workspace admin in Slack: may import
MEMBER = "UMEMBER"  # an ordinary member: may export, may not import
CSV = b"name,layers,cost\nvLLM,inference,1200\nPinecone,,99\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    yield engine
    engine.dispose()


def bolt(engine: Engine, team: str, user: str) -> BoltContext:
    return BoltContext({"engine": engine, "team_id": team, "user_id": user})


def press(engine: Engine, fake: FakeSlack, team: str, user: str, body: dict[str, Any]) -> Press:
    """A form submitted or a button pressed, as the work after the ack sees it."""
    client = fake.client()
    return Press(engine, stack_context(bolt(engine, team, user), client, user_id=user), client,
                 body, None)  # fmt: skip


def slash(engine: Engine, fake: FakeSlack, team: str, user: str, text: str) -> dict[str, Any]:
    """The reply to the command; {} when it answered with a form instead."""
    respond = Respond(response_url=fake.url + f"response/{text.split()[0]}")
    command = {"text": text, "user_id": user, "channel_id": "C1", "trigger_id": "t1"}
    client = fake.client()
    stack = stack_context(bolt(engine, team, user), client, user_id=user, channel_id="C1")
    # What /stack runs once it has acked (bot.listeners.commands.stack): export and import
    # at once, anything else as a recorded command, which a worker answers.
    if not transfer_command(engine, stack, text, command, client, respond):
        with session_scope(engine) as session:
            commands.record(
                session=session, team_id=team, user_id=user, channel_id="C1", text=text,
                response_url=str(respond.response_url), now=NOW,
            )  # fmt: skip
        assert work_once(engine, lambda team: client, NOW) == 1
    replies = fake.calls_to(f"response/{text.split()[0]}")
    return replies[0].params if replies else {}


def names(engine: Engine, team: str) -> list[str]:
    with session_scope(engine, write=False) as session:
        workspace = get_workspace(session=session, team_id=team)
        assert workspace is not None
        assert workspace.id is not None
        return sorted(tool_names(session=session, workspace_id=workspace.id))


def test_export_posts_the_file_to_the_person(store: Engine, fake_slack: FakeSlack) -> None:
    run_command(store, Context(team_id="TEXP", user_id=ADMIN, now=NOW), "add vLLM cost:1200/mo")
    reply = slash(store, fake_slack, "TEXP", MEMBER, "export")
    assert reply["response_type"] == "ephemeral"
    assert_valid_message(reply)
    assert "as a direct message" in reply["text"]
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == MEMBER
    [upload] = fake_slack.calls_to("upload")
    assert upload.body.decode().startswith("name,layers,capabilities,")
    assert "vLLM,inference" in upload.body.decode()
    [completed] = fake_slack.calls_to("files.completeUploadExternal")
    assert completed.params["channel_id"].startswith("D")
    assert completed.params["files"][0]["title"].endswith(".csv")


def test_export_in_another_format_and_a_wrong_one(store: Engine, fake_slack: FakeSlack) -> None:
    slash(store, fake_slack, "TFMT", MEMBER, "export backstage")
    [completed] = fake_slack.calls_to("files.completeUploadExternal")
    assert completed.params["files"][0]["title"].endswith(".yaml")
    reply = slash(store, fake_slack, "TFMT", MEMBER, "exports jsn")
    assert "is not a /stack command" in reply["text"]  # `exports` is no command at all
    fake_slack.reset()
    reply = slash(store, fake_slack, "TFMT", MEMBER, "export jsn")
    assert "`jsn` is not an export format" in reply["text"]
    assert "/stack export json" in all_text(reply)


def test_import_is_for_stack_admins(store: Engine, fake_slack: FakeSlack) -> None:
    reply = slash(store, fake_slack, "TMEM", MEMBER, "import")
    assert "Only stack admins can import a stack" in reply["text"]
    assert fake_slack.calls_to("views.open") == []


def test_import_opens_a_form_previews_by_dm_and_applies_from_the_button(
    store: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.users[ADMIN] = {"is_admin": True}
    assert slash(store, fake_slack, "TIMP", ADMIN, "import") == {}
    [opened] = fake_slack.calls_to("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "import_form"
    assert view["blocks"][1]["element"]["type"] == "file_input"
    fake_slack.files["F1"] = CSV
    submitted = {
        "state": {"values": {"file": {"file": {"type": "file_input", "files": [{"id": "F1"}]}}}}
    }
    import_form_submitted(press(store, fake_slack, "TIMP", ADMIN, {"view": submitted}))
    [preview] = fake_slack.calls_to("chat.postMessage")
    assert_valid_message(preview.params)
    assert preview.params["text"] == "Dry run of F1.csv: 2 to add, 0 to change, 0 unchanged"
    assert names(store, "TIMP") == []
    blocks = preview.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    button = blocks[-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("import_apply", "F1")
    [download] = fake_slack.calls_to("files-pri")
    assert download.token == "xoxb-test"
    body = {"actions": [{"value": "F1"}], "channel": {"id": "D1"}, "message": {"ts": "1.2"}}
    import_apply(press(store, fake_slack, "TIMP", ADMIN, body))
    [updated] = fake_slack.calls_to("chat.update")
    assert updated.params["text"] == "Imported F1.csv: 2 added, 0 changed, 0 unchanged"
    assert names(store, "TIMP") == ["Pinecone", "vLLM"]


def test_a_bad_file_gets_its_problems_by_dm_and_no_button(
    store: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.users[ADMIN] = {"is_admin": True}
    fake_slack.files["F2"] = b"name,layers\nvLLM,infrence\n"
    submitted = {"state": {"values": {"file": {"file": {"files": [{"id": "F2"}]}}}}}
    import_form_submitted(press(store, fake_slack, "TBAD", ADMIN, {"view": submitted}))
    [preview] = fake_slack.calls_to("chat.postMessage")
    assert preview.params["text"] == "Nothing was imported: 1 problem in F2.csv"
    assert "import_apply" not in json.dumps(preview.params)
    assert "Did you mean `inference`" in json.dumps(preview.params)


def test_a_file_too_big_or_on_a_strange_host_is_never_read(
    store: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.users[ADMIN] = {"is_admin": True}
    fake_slack.files["F3"] = b"x" * 5_000_001
    submitted = {"state": {"values": {"file": {"file": {"files": [{"id": "F3"}]}}}}}
    import_form_submitted(press(store, fake_slack, "TBIG", ADMIN, {"view": submitted}))
    fake_slack.script(
        "files.info",
        Reply(
            body={
                "ok": True,
                "file": {"id": "F4", "size": 10, "url_private_download": "https://evil.example/f"},
            }
        ),
    )
    submitted = {"state": {"values": {"file": {"file": {"files": [{"id": "F4"}]}}}}}
    import_form_submitted(press(store, fake_slack, "TBIG", ADMIN, {"view": submitted}))
    told = [c.params["text"] for c in fake_slack.calls_to("chat.postMessage")]
    assert told == [
        "That file is 5.0 MB; a file sent in Slack can have at most 5.0 MB.",
        "stackbot could not read that file from Slack.",
    ]
    assert fake_slack.calls_to("files-pri") == []


def test_an_install_without_the_new_scopes_is_told_what_to_grant(
    store: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.script("files.getUploadURLExternal", error("missing_scope"))
    reply = slash(store, fake_slack, "TSCOPE", MEMBER, "export")
    assert "lacks the `files:write` scope" in reply["text"]
    fake_slack.users[ADMIN] = {"is_admin": True}
    fake_slack.script("files.info", error("missing_scope"))
    submitted = {"state": {"values": {"file": {"file": {"files": [{"id": "F9"}]}}}}}
    import_form_submitted(press(store, fake_slack, "TSCOPE", ADMIN, {"view": submitted}))
    [told] = fake_slack.calls_to("chat.postMessage")
    assert "lacks the `files:read` scope" in told.params["text"]


def test_a_download_redirected_to_another_host_never_carries_the_token(
    fake_slack: FakeSlack,
) -> None:
    with FakeSlack() as elsewhere:
        elsewhere.files["F5"] = CSV
        fake_slack.files["F5"] = CSV
        fake_slack.redirects["F5"] = f"{elsewhere.url}files-pri/F5"
        with pytest.raises(Rejected) as caught:
            download(fake_slack.client(), "F5")
        assert caught.value.code == "file_unreadable"
        assert elsewhere.calls_to("files-pri") == []  # not asked at all, so no token went there


def test_a_download_redirected_within_slack_is_followed(fake_slack: FakeSlack) -> None:
    fake_slack.files["F6"] = CSV
    fake_slack.files["F7"] = CSV
    fake_slack.redirects["F6"] = f"{fake_slack.url}files-pri/F7"
    assert download(fake_slack.client(), "F6") == ("F6.csv", CSV)
    assert [c.params["file"] for c in fake_slack.calls_to("files-pri")] == ["F6", "F7"]
