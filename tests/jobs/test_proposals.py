"""A proposal nobody decides expires after 30 days, with one note to whoever proposed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from jobs.proposals import expire_proposals
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import directory, posts, workspace
from tests.slack_checks import all_text, assert_valid_message

PROPOSED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_it_expires_an_undecided_proposal_once_and_tells_the_proposer(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    stack = workspace(engine, PROPOSED, "review-channel <#CREV|reviews>")
    stack.ok("propose WhyLabs cost:1200/mo drift alerts", user="UCAROL")
    stack.ok("propose Pinecone cost:70/mo", user="UDAN")
    stack.now = PROPOSED + timedelta(days=3)
    stack.ok("proposals decline 2 we have pgvector")  # decided: never expires
    assert expire_proposals(engine, directory(fake_slack), PROPOSED + timedelta(days=29)) == 0
    later = PROPOSED + timedelta(days=30, minutes=5)
    assert expire_proposals(engine, directory(fake_slack), later) == 1
    assert expire_proposals(engine, directory(fake_slack), later + timedelta(days=1)) == 0
    [note] = posts(fake_slack, "UCAROL")
    message = {"text": note["text"], "blocks": note["blocks"]}
    assert_valid_message(message)
    assert "proposal of *WhyLabs* in 30 days, so it has expired" in all_text(message)
    assert posts(fake_slack, "UDAN") == []
    stack.now = later + timedelta(hours=1)
    assert stack("proposals approve 1").code == "proposal_settled"
    assert "expired" in all_text(stack.ok("history").message)
