"""The map under the weekly digest: a PNG in the digest's thread, and a digest that goes out
whole when the picture cannot."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine

from db.models import SENT
from jobs.digest import run_digests
from tests import png
from tests.fake_slack import UPLOAD, FakeSlack, error
from tests.jobs.helpers import directory, posts, rows, workspace
from tests.slack_checks import assert_valid_message

CREATED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def stack(engine: Engine) -> None:
    team = workspace(engine, CREATED, "timezone UTC", "digest-channel <#CDIG|ai-infra>")
    team.ok("add vLLM inference cost:1500/mo")
    team.ok("add MLflow")
    team.ok("add Weights & Biases cost:14k/yr")


def test_it_posts_the_map_and_the_spend_chart_in_the_digests_thread(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack(engine)
    assert run_digests(engine, directory(fake_slack), MONDAY_9, pictures=True) == 1
    [digest] = posts(fake_slack, "CDIG")
    assert_valid_message(digest)
    [row] = rows(engine)
    [done] = fake_slack.calls_to("files.completeUploadExternal")
    assert done.params["channel_id"] == "CDIG"
    assert done.params["thread_ts"] == row.ts
    assert done.params["initial_comment"].startswith("The seven-layer map this week: 3 tools")
    # The map and the spend chart, in one message.
    map_png, chart_png = (call.body for call in fake_slack.calls_to(UPLOAD))
    assert png.size(map_png)[0] >= 1200  # twice its own width (at least 600), sharp on a phone
    assert png.size(chart_png) == (1560, png.size(chart_png)[1])
    files = done.params["files"]
    files = json.loads(files) if isinstance(files, str) else files
    assert [f["title"] for f in files] == ["AI stack map", "AI stack spend per layer"]


def test_it_sends_the_digest_whole_when_the_picture_fails(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack(engine)
    fake_slack.script("files.getUploadURLExternal", error("not_allowed_token_type"))
    assert run_digests(engine, directory(fake_slack), MONDAY_9, pictures=True) == 1
    assert len(posts(fake_slack, "CDIG")) == 1
    [row] = rows(engine)
    assert row.status == SENT
    assert not fake_slack.calls_to("files.completeUploadExternal")
    # The next pass sends neither the digest nor the picture again.
    assert run_digests(engine, directory(fake_slack), MONDAY_9, pictures=True) == 0
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 1


def test_it_leaves_the_picture_out_unless_asked(engine: Engine, fake_slack: FakeSlack) -> None:
    stack(engine)
    assert run_digests(engine, directory(fake_slack), MONDAY_9) == 1
    assert not fake_slack.calls_to("files.getUploadURLExternal")
