"""A review reminder brings its facts (issue 22): the tool's bill over the last six months
beside its registered cost, the open findings that name it, and who else does its main jobs."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import Engine

from jobs.reviews import run_reviews
from stack import Context
from stack.billing import import_billing
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import TEAM, directory, posts, workspace
from tests.slack_checks import all_text, assert_valid_message

ADDED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LEAD_60 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 60 days before the 30 Jan 2027 cancel-by
BILL = (
    "BilledCost,BillingCurrency,ChargePeriodStart,ServiceCategory,ServiceName\n"
    "2400.00,USD,2026-10-01T00:00:00Z,AI and Machine Learning,Arize\n"
    "3100.50,USD,2026-11-01T00:00:00Z,AI and Machine Learning,Arize\n"
    "99.00,USD,2026-04-01T00:00:00Z,AI and Machine Learning,Arize\n"  # older than six months
)


def test_the_reminder_shows_the_bill_the_findings_and_the_alternatives(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|reviews>")
    stack.ok("add Arize cost:30k/yr owner:<@UALICE> renews:2027-03-01 notice:30")
    stack.ok("add Arize Phoenix")  # does Arize's tracing and evaluation
    context = Context(team_id=TEAM, user_id="UALICE", now=ADDED)
    assert import_billing(engine, context, io.BytesIO(BILL.encode()), dry_run=False).applied
    assert run_reviews(engine, directory(fake_slack), LEAD_60) == 1
    [sent] = posts(fake_slack, "CREV")
    message = {"text": sent["text"], "blocks": sent["blocks"]}
    assert_valid_message(message)
    text = all_text(message)
    # Each month's bill as billed, beside the registered 30,000/yr = 2,500/mo.
    assert "*Billed over the last 6 months:* Oct 2026 $2,400 · Nov 2026 $3,100.50; " in text
    assert "registered $2,500/mo." in text
    assert "Apr 2026" not in text
    # The finding that names it, and each main job on its own line.
    assert "• Arize already does all that Arize Phoenix is for" in text
    assert (
        "\n• llm-tracing: in your stack, Arize Phoenix; in the catalog, Braintrust (bought), "
        "Datadog LLM Observability (bought), Galileo (bought)\n"
    ) in text
    assert "• drift-detection: nothing else in your stack; in the catalog, " in text
    assert "(open source)" in text
    assert "(bought)" in text
    assert "cancel by 30 Jan 2027" in text
