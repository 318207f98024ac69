"""Overspend said the day it is found: a bill import or a provider pull queues one alert per
tool and month, which the clock's next pass posts to the review channel; never twice."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.settings import Settings
from jobs.clock import run_pass
from jobs.costs import pull_costs_daily
from stack import Context
from stack.billing import billing_message, import_billing
from stack.costs import Fetcher
from tests.fake_costs import OPENAI_KEY, DayCost, FakeCosts
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import TEAM, directory, posts, rows, workspace
from tests.slack_checks import all_text, assert_valid_message

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # before the 09:00 reminders and digests
SAMPLES = Path(__file__).parent.parent / "samples"


def import_aws(engine: Engine) -> int:
    context = Context(team_id=TEAM, user_id="UANA", now=NOW)
    data = (SAMPLES / "focus_aws.csv").read_bytes()
    report = import_billing(engine, context, io.BytesIO(data), dry_run=False)
    assert report.applied
    said = "1 tool is billed well above its registered cost" in str(
        billing_message(report, source="aws.csv")
    )
    assert said == (report.alerts == 1)
    return report.alerts


def test_an_import_that_finds_overspend_alerts_the_review_channel_once(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, NOW, "review-channel <#CREV|reviews>")
    stack.ok("/stack add SageMaker cost:2000/mo")
    stack.ok("/stack add vLLM")  # billed nothing: no alert
    assert import_aws(engine) == 1  # SageMaker: 3,100 less a 100 credit against 2,000/mo
    slack = directory(fake_slack)
    run_pass(engine, slack, NOW)
    [alert] = posts(fake_slack, "CREV")
    text = all_text(alert)
    assert "*Amazon SageMaker* was billed *$3,000* in Oct 2026" in text
    # Every figure from the two beside it: 3,000 - 2,000 = 1,000, and 1,000 / 2,000 = 50%.
    assert "against a registered $2,000/mo: $1,000 more (50% over)" in text
    assert "more than 25% and at least $50 over" in text
    assert_valid_message({"text": alert["text"], "blocks": alert["blocks"]})
    # The same bill again, and another pass: nothing new is said.
    assert import_aws(engine) == 0
    run_pass(engine, slack, NOW)
    assert len(posts(fake_slack, "CREV")) == 1
    assert [r.key for r in rows(engine) if r.kind == "overspend"] == [
        f"overspend:{stack_tool_id(engine)}:2026-10"
    ]


def test_a_tool_whose_cost_was_updated_before_the_import_is_not_alerted(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, NOW, "review-channel <#CREV|reviews>")
    stack.ok("/stack add SageMaker cost:2500/mo")  # 3,000 is 20% over: within the noise
    assert import_aws(engine) == 0
    run_pass(engine, directory(fake_slack), NOW)
    assert posts(fake_slack, "CREV") == []


def test_the_daily_pull_runs_once_a_day_and_its_overspend_is_posted_by_the_next_pass(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, NOW, "review-channel <#CREV|reviews>")
    stack.ok("/stack add OpenAI API cost:100/mo")
    with FakeCosts() as fake:
        fake.costs = [DayCost(date(2026, 11, 20), "180.50", "proj_a", "gpt-4o, input")]
        settings = Settings(openai_admin_key=OPENAI_KEY, openai_api_url=fake.url)
        fetcher = Fetcher(sleep=lambda s: None)
        assert pull_costs_daily(engine, NOW, settings=settings, fetcher=fetcher) == 1
        later = NOW.replace(hour=20)
        assert pull_costs_daily(engine, later, settings=settings, fetcher=fetcher) == 0
        assert len(fake.requests) == 2  # one pull of two pages, not two pulls
    run_pass(engine, directory(fake_slack), NOW)
    [alert] = posts(fake_slack, "CREV")
    assert "*OpenAI API* was billed *$180.50* in Nov 2026" in all_text(alert)
    assert "$80.50 more (80% over)" in all_text(alert)


def stack_tool_id(engine: Engine) -> int:
    from db.engine import session_scope
    from db.tools import get_workspace, list_tools

    with session_scope(engine, write=False) as session:
        found = get_workspace(session=session, team_id=TEAM)
        assert found is not None
        [tool] = [
            t
            for t in list_tools(session=session, workspace_id=found.id or 0)
            if t.name == "Amazon SageMaker"
        ]
        return tool.id or 0
