"""The map reaching Slack as a picture: `/stack map image`, uploaded through files upload v2
to the loopback fake Slack, the way slack_sdk's files_upload_v2 really calls it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from slack_bolt import BoltContext, Respond

from bot.listeners.commands.stack import stack_command
from bot.slack import Shared
from core import grammar
from db import open_store
from tests import png
from tests.fake_slack import UPLOAD, FakeSlack, error
from tests.slack_checks import assert_valid_message

ALICE = "UALICE"


def run(tmp_path: Path, fake_slack: FakeSlack, *texts: str) -> str:
    """Types `texts` as Alice in channel C1; returns the response URL of the last one."""
    engine = open_store(f"sqlite:///{tmp_path}/stack.db")
    context = BoltContext({"engine": Shared(engine), "team_id": "T0TEAM"})
    url = ""
    try:
        for index, text in enumerate(texts):
            url = f"{fake_slack.url}response/{index}"
            command = {"text": text, "user_id": ALICE, "channel_id": "C1", "trigger_id": "t"}
            stack_command(command, context, fake_slack.client(), Respond(response_url=url))
    finally:
        engine.dispose()
    return url.removeprefix(fake_slack.url)


def test_it_reads_map_image_as_the_map_as_a_picture() -> None:
    assert grammar.parse("map image", today=date(2026, 12, 1)) == grammar.Map(image=True)
    assert grammar.parse("map", today=date(2026, 12, 1)) == grammar.Map()


def test_it_sends_the_map_as_a_png_to_the_persons_dm(tmp_path: Path, fake_slack: FakeSlack) -> None:
    last = run(
        tmp_path, fake_slack,
        "add vLLM inference cost:1500/mo", "add SageMaker layer:inference,mlops", "map image",
    )  # fmt: skip
    [reply] = fake_slack.calls_to(last)
    assert reply.params["response_type"] == "ephemeral"
    assert_valid_message(reply.params)
    assert "direct messages" in reply.params["text"]
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
