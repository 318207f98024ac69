"""The map reaching Slack as a picture: `/stack map image`, uploaded through files upload v2
to the loopback fake Slack, the way slack_sdk's files_upload_v2 really calls it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import Engine

from bot.home_picture import forget, publish_home_picture, publish_with_image
from bot.worker import work_once
from core import grammar
from db import commands, open_store
from db.engine import session_scope
from stack import Context, run_command
from stack.forms.home import home_view
from tests import png
from tests.fake_slack import UPLOAD, FakeSlack, error
from tests.slack_checks import assert_valid_message

ALICE = "UALICE"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def run(tmp_path: Path, fake_slack: FakeSlack, *texts: str) -> str:
    """Types `texts` as Alice in channel C1, each run as /stack runs a command once it has
    acked it (a worker, bot.worker); returns the response URL of the last one."""
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    url = ""
    try:
        for index, text in enumerate(texts):
            url = f"{fake_slack.url}response/{index}"
            with session_scope(engine) as session:
                commands.record(
                    session=session, team_id="T0TEAM", user_id=ALICE, channel_id="C1",
                    text=text, response_url=url, now=NOW,
                )  # fmt: skip
            assert work_once(engine, lambda team: fake_slack.client(), NOW) == 1
    finally:
        engine.dispose()
    return url.removeprefix(fake_slack.url)


def test_it_reads_map_image_as_the_map_as_a_picture() -> None:
    assert grammar.parse("map image", today=date(2026, 12, 1)) == grammar.Map(image=True)
    assert grammar.parse("map", today=date(2026, 12, 1)) == grammar.Map()


def test_it_sends_the_map_as_a_png_to_the_persons_dm(tmp_path: Path, fake_slack: FakeSlack) -> None:
    last = run(
        tmp_path, fake_slack,
        "add vLLM inference cost:1500/mo owner:<@UBOB>", "add SageMaker layer:inference,mlops",
        "map image",
    )  # fmt: skip
    [reply] = fake_slack.calls_to(last)
    assert reply.params["response_type"] == "ephemeral"
    assert_valid_message(reply.params)
    assert "direct messages" in reply.params["text"]
    # Owners are drawn by the names Slack shows for them.
    assert "UBOB" in [call.params["user"] for call in fake_slack.calls_to("users.info")]
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == ALICE
    [asked] = fake_slack.calls_to("files.getUploadURLExternal")
    [sent] = fake_slack.calls_to(UPLOAD)
    assert int(asked.params["length"]) == len(sent.body)
    assert asked.params["filename"] == "stack-map.png"
    assert "Inference and serving" in asked.params["alt_txt"]
    width, height = png.size(sent.body)
    assert 1400 <= width <= 1800
    assert height > width
    [done] = fake_slack.calls_to("files.completeUploadExternal")
    assert done.params["channel_id"] == f"D{ALICE}"
    assert done.params["initial_comment"].startswith("Your AI stack map: 2 tools, $1,500 a month")
    files = done.params["files"]
    files = json.loads(files) if isinstance(files, str) else files
    assert files == [{"id": files[0]["id"], "title": "AI stack map"}]


def test_it_sends_the_spend_chart_on_spend_image(tmp_path: Path, fake_slack: FakeSlack) -> None:
    assert grammar.parse("spend image", today=date(2026, 12, 1)) == grammar.Spend(image=True)
    last = run(tmp_path, fake_slack, "add vLLM inference cost:1500/mo", "spend image")
    [reply] = fake_slack.calls_to(last)
    assert "spend chart" in reply.params["text"]
    [asked] = fake_slack.calls_to("files.getUploadURLExternal")
    assert asked.params["filename"] == "stack-spend.png"
    assert "2 · Inference and serving $1,500" in asked.params["alt_txt"]
    [done] = fake_slack.calls_to("files.completeUploadExternal")
    assert done.params["initial_comment"].startswith("Your AI stack’s spend per layer: $1,500")
    [sent] = fake_slack.calls_to(UPLOAD)
    assert png.size(sent.body)[0] == 1560


def test_it_tells_the_person_when_the_picture_cannot_be_sent(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.script("files.getUploadURLExternal", error("missing_scope"))
    run(tmp_path, fake_slack, "add vLLM inference", "map image")
    replies = fake_slack.calls_to("response/1")
    assert len(replies) == 2  # "drawing it", then why it did not come
    failed = replies[1].params
    assert failed["response_type"] == "ephemeral"
    assert_valid_message(failed)
    assert "missing_scope" in failed["text"]
    assert "`/stack map` shows it as text" in failed["text"]
    assert not fake_slack.calls_to("files.completeUploadExternal")


def home(tmp_path: Path, fake_slack: FakeSlack, *texts: str) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    for text in texts:
        assert run_command(engine, Context(team_id="T0TEAM", user_id=ALICE, now=NOW), text).ok
    return engine


def open_home(engine: Engine, fake_slack: FakeSlack) -> None:
    """What the App Home does once its text is up (bot/listeners/events/app_home.py)."""
    stack = Context(team_id="T0TEAM", user_id=ALICE, now=NOW)
    publish_home_picture(fake_slack.client(), engine, stack, ALICE, home_view(engine, stack))


def published(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    views = [call.params["view"] for call in fake_slack.calls_to("views.publish")]
    return [json.loads(v) if isinstance(v, str) else v for v in views]


def test_it_shows_the_map_as_a_picture_above_the_text_on_the_app_home(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget()
    engine = home(tmp_path, fake_slack, "add vLLM inference", "add Pinecone")
    open_home(engine, fake_slack)
    [view] = published(fake_slack)
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        assert Block.parse(block).to_dict() == block  # type: ignore[union-attr]
    types = [b["type"] for b in view["blocks"]]
    image = view["blocks"][types.index("image")]
    assert types.index("image") == types.index("actions") + 1  # above the text map
    [done] = fake_slack.calls_to("files.completeUploadExternal")
    assert "channel_id" not in done.params  # in no channel: the app's own file
    files = done.params["files"]
    files = json.loads(files) if isinstance(files, str) else files
    assert image["slack_file"] == {"id": files[0]["id"]}
    assert image["alt_text"].startswith("Seven-layer AI stack map: 7 · Governance (empty)")
    # Opened again with nothing changed: the same file, no second upload.
    open_home(engine, fake_slack)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert published(fake_slack)[-1]["blocks"][types.index("image")] == image
    # A change in the stack: a new picture, and the old file deleted.
    home(tmp_path, fake_slack, "add MLflow")
    open_home(engine, fake_slack)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2
    [deleted] = fake_slack.calls_to("files.delete")
    assert deleted.params["file"] == files[0]["id"]
    # A file Slack will not show (deleted by an admin, say) is uploaded again next time.
    fake_slack.script("views.publish", *[error("invalid_blocks")] * 4)
    monkeypatch.setattr("bot.home_picture.WAITS", (0.0,))
    open_home(engine, fake_slack)
    open_home(engine, fake_slack)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 3


def test_it_waits_for_slack_to_finish_the_file_before_showing_it(fake_slack: FakeSlack) -> None:
    fake_slack.script("views.publish", error("invalid_blocks"), error("invalid_blocks"))
    waits: list[float] = []
    view = {"type": "home", "blocks": [{"type": "actions", "elements": []}]}
    block = {"type": "image", "slack_file": {"id": "F1"}, "alt_text": "map"}
    assert publish_with_image(fake_slack.client(), ALICE, view, block, sleep=waits.append)
    assert waits == [1.0, 2.0]
    assert len(fake_slack.calls_to("views.publish")) == 3
    fake_slack.script("views.publish", *[error("invalid_blocks")] * 4)
    assert not publish_with_image(fake_slack.client(), ALICE, view, block, sleep=waits.append)
    assert waits == [1.0, 2.0, 1.0, 2.0, 4.0]
