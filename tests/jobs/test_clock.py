"""`stackbot clock` as a process: it runs a pass at once, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.admins import claim_event
from db.engine import session_scope
from jobs.clock import run_pass
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import directory

ROOT = Path(__file__).parents[2]


@pytest.mark.process
def test_it_runs_a_pass_and_stops_cleanly_on_sigterm(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path}/clock.db",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.url,
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    clock = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "clock"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert clock.stdout is not None
    watchdog = threading.Timer(60, clock.kill)  # a clock that never logs fails, not hangs
    watchdog.start()
    try:
        for line in clock.stdout:  # reads the process's log as it comes; no sleeping
            if "pass at" in line:
                break
    finally:
        watchdog.cancel()
    # The pass left its heartbeat, which is what the clock's container healthcheck reads.
    health = subprocess.run(
        [sys.executable, "-m", "cli.main", "health", "clock"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    clock.send_signal(signal.SIGTERM)
    out, _ = clock.communicate(timeout=60)
    assert clock.returncode == 0, out
    assert "stopping" in out
    assert health.returncode == 0, health.stdout + health.stderr
    assert health.stdout.startswith("clock healthy: the clock's last pass was ")
    assert "apscheduler" not in out  # its two lines per run of each job stay quiet at INFO


@pytest.mark.process
def test_it_refuses_to_start_without_a_slack_token(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path}/clock.db",
        "PYTHONPATH": str(ROOT),
    }
    for command in (["clock"], ["socket"], ["run-job", "digest"]):
        result = subprocess.run(
            [sys.executable, "-m", "cli.main", *command], env=env, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 2, command
        assert "SLACK_" in result.stderr, command


def test_a_pass_forgets_slack_event_ids_after_a_day(engine: Engine, fake_slack: FakeSlack) -> None:
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    with session_scope(engine) as session:
        claim_event(session=session, event_id="EvOld", now=now - timedelta(days=2))
        claim_event(session=session, event_id="EvNew", now=now - timedelta(hours=1))
    run_pass(engine, directory(fake_slack), now)
    with session_scope(engine) as session:
        assert claim_event(session=session, event_id="EvOld", now=now)  # forgotten: new again
        assert not claim_event(session=session, event_id="EvNew", now=now)
