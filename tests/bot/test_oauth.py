"""Installed over OAuth: not installed is refused clearly, installing works, uninstalling forgets
the tokens and keeps the stack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bot.server import Server
from tests.fake_slack import FakeSlack
from tests.slack_checks import all_text

TEAM = "T0TEAM"  # the workspace the fake Slack installs into


@pytest.fixture
def oauth_server(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[Server]:
    server = Server(
        database_url=f"sqlite:///{tmp_path}/stack.db",
        slack_url=fake_slack.url,
        fake=fake_slack,
        env={"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-for-tests"},
    )
    yield server
    server.stop()


def install(server: Server) -> None:
    page = server.get("/slack/install")
    assert page.status == 200
    state = re.search(r"state=([\w-]+)", page.text)
    assert state is not None, page.text
    cookie = page.headers["Set-Cookie"].split(";")[0]
    done = server.get(f"/slack/oauth_redirect?code=granted&state={state[1]}", {"Cookie": cookie})
    assert done.status == 200, done.text


def test_it_refuses_a_workspace_that_has_not_installed_it(oauth_server: Server) -> None:
    # Bolt tells the person through the command's response_url, which command() waits for.
    answer = oauth_server.command("list", team=TEAM, user="UALICE")
    assert answer.status == 200
    assert "not installed in this workspace" in answer.json()["text"]


def test_it_works_once_installed_and_forgets_tokens_on_uninstall(
    oauth_server: Server, fake_slack: FakeSlack
) -> None:
    install(oauth_server)
    assert fake_slack.calls_to("oauth.v2.access")
    added = oauth_server.command("add vLLM inference", team=TEAM, user="UALICE").json()
    assert added["response_type"] == "in_channel"

    event = {"type": "app_uninstalled"}
    assert oauth_server.event(event, team=TEAM, event_id="EvUninstall").status == 200
    refused = oauth_server.command("list", team=TEAM, user="UALICE")
    assert refused.status == 200
    assert "not installed in this workspace" in refused.json()["text"]

    install(oauth_server)  # installing again finds the stack as it was
    listing = oauth_server.command("list", team=TEAM, user="UALICE").json()
    assert "vLLM" in all_text(listing)


def token_rows(server: Server) -> dict[str, int]:
    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE team_id = :t"), {"t": TEAM}
            ).scalar_one()
            for table in ("slack_installations", "slack_bots")
        }
    engine.dispose()
    return counts


def test_revoking_the_bot_token_deletes_every_row_that_holds_it(
    oauth_server: Server, fake_slack: FakeSlack
) -> None:
    install(oauth_server)
    assert token_rows(oauth_server) == {"slack_installations": 1, "slack_bots": 1}
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert oauth_server.event(event, team=TEAM, event_id="EvRevoked").status == 200
    # Bolt's own listener would delete the slack_bots row only; the installation row keeps a
    # copy of the bot token, and would go on authorizing requests.
    assert token_rows(oauth_server) == {"slack_installations": 0, "slack_bots": 0}
    refused = oauth_server.command("list", team=TEAM, user="UALICE")
    assert "not installed in this workspace" in refused.json()["text"]
