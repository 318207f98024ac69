"""A review nobody owns, or nobody answered, names a real person: the stack admins, else the
workspace's admins and owners as Slack lists them, never "Stack admins:" followed by nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from jobs.reviews import run_reviews
from tests.fake_slack import FakeSlack
from tests.jobs.helpers import directory, posts, workspace
from tests.slack_checks import all_text

ADDED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the review's due date


def reminder(engine: Engine, fake_slack: FakeSlack, *settings: str) -> str:
    stack = workspace(
        engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|r>", *settings
    )
    stack.ok("add Arize renews:2026-12-10")  # nobody owns it
    assert run_reviews(engine, directory(fake_slack), DUE) == 1
    [sent] = posts(fake_slack, "CREV")
    return all_text({"text": sent["text"], "blocks": sent["blocks"]})


def test_it_names_the_stack_admins(engine: Engine, fake_slack: FakeSlack) -> None:
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|r>")
    stack.ok("admins add <@UDAN|dan>")
    stack.ok("add Arize renews:2026-12-10")
    assert run_reviews(engine, directory(fake_slack), DUE) == 1
    [sent] = posts(fake_slack, "CREV")
    shown = all_text({"text": sent["text"], "blocks": sent["blocks"]})
    assert "Stack admins (<@UDAN>): decide it" in shown
    assert not fake_slack.calls_to("users.list")  # Slack is asked only when nobody is named


def test_it_names_the_workspace_admins_when_no_stack_admin_is_named(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.users = {
        "UOWNER": {"is_owner": True, "is_admin": True},
        "UADMIN": {"is_admin": True},
        "UGONE": {"is_admin": True, "deleted": True},
        "UMEMBER": {},
    }
    shown = reminder(engine, fake_slack)
    assert "Workspace admins (<@UADMIN>, <@UOWNER>), as no stack admin is named" in shown
    assert "UGONE" not in shown
    assert "UMEMBER" not in shown
    assert "Stack admins" not in shown


def test_it_never_says_stack_admins_followed_by_nobody(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    shown = reminder(engine, fake_slack)  # no admins named, none in Slack, no installer known
    assert "Stack admins" not in shown
    assert "no stack admin is named yet: `/stack admins add @someone`" in shown


def test_an_escalation_climbs_to_the_workspace_admins(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.users = {"UADMIN": {"is_admin": True}}
    stack = workspace(engine, ADDED, "timezone Europe/Berlin", "review-channel <#CREV|r>")
    stack.ok("add Arize owner:<@UBOB> renews:2026-12-10")
    slack = directory(fake_slack)
    for week in range(0, 6):
        run_reviews(engine, slack, DUE + timedelta(weeks=week))
    escalated = [
        all_text({"text": p["text"], "blocks": p["blocks"]})
        for p in posts(fake_slack, "CREV")
        if str(p["text"]).startswith("Escalated")
    ]
    assert len(escalated) == 1
    assert (
        "Workspace admins (<@UADMIN>), as no stack admin is named: nobody has decided"
        in (escalated[0])
    )
