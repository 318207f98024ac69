"""Exactly once, with real processes: two clocks at the same time, and a clock killed mid-pass."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.models import SENT
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import posts, rows, workspace

ROOT = Path(__file__).parents[2]
ADDED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WHEN = "2026-12-01T09:00:00+00:00"  # every tool's lead-60 stage has come


def run_job(database_url: str, fake: FakeSlack) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake.url,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "cli.main", "run-job", "reviews", "--now", WHEN]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen[bytes]) -> str:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out.decode()
    return out.decode()


def keys_posted(fake: FakeSlack) -> Counter[str]:
    """Which reminders Slack got, by the tool named in their first line."""
    return Counter(str(p["text"]) for p in posts(fake))


@pytest.mark.process
def test_two_clocks_at_once_post_each_reminder_once(
    engine: Engine, database_url: str, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, ADDED)
    for n in range(12):  # a channel each, so pacing does not serialise the two clocks
        stack.ok(f'add "Tool {n:02d}" data renews:2027-03-01 notice:30 channel:<#C{n:02d}|c>')
    first, second = run_job(database_url, fake_slack), run_job(database_url, fake_slack)
    finish(first), finish(second)
    posted = keys_posted(fake_slack)
    assert len(posted) == 12
    assert set(posted.values()) == {1}
    assert [r.status for r in rows(engine)] == [SENT] * 12


@pytest.mark.process
def test_a_clock_killed_mid_pass_then_restarted_posts_each_reminder_once(
    engine: Engine, database_url: str, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, ADDED, "review-channel <#CREV|reviews>")
    for n in range(5):  # one channel: a message a second, so the pass takes about 4 s
        stack.ok(f'add "Tool {n}" data renews:2027-03-01 notice:30')
    clock = run_job(database_url, fake_slack)
    for _ in range(600):  # wait (for the other process) until two reminders are out
        if len(posts(fake_slack)) >= 2:
            break
        time.sleep(0.02)
    clock.send_signal(signal.SIGKILL)
    clock.wait(timeout=30)
    assert 2 <= len(posts(fake_slack)) < 5  # killed in the middle
    finish(run_job(database_url, fake_slack))
    posted = keys_posted(fake_slack)
    assert len(posted) == 5
    assert set(posted.values()) == {1}
