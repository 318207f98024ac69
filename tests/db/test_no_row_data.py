"""A store failure never puts row data in a log or an exception's text: not the command's text,
not its response_url (which lets anyone post into the channel as the app for 30 minutes)."""

from __future__ import annotations

import logging
import traceback
from typing import cast

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from db import commands
from db.engine import session_scope
from tests.conftest import ALICE, NOW, TEAM

COMMAND = "/stack add “Secret Vendor Deal” notes:“the board has not been told”"
RESPONSE_URL = "https://hooks.slack.com/commands/TALPHA/1234567890/aSeCrEtToKeNxYz"
SECRETS = ("Secret Vendor Deal", "board has not been told", "aSeCrEtToKeNxYz")


def logged_failure(caplog: pytest.LogCaptureFixture, error: BaseException) -> str:
    """Everything a failure leaves for an operator: the records every logger wrote while it
    happened, and the traceback as the app's error handler logs it (bot/app.py `_on_error`)."""
    logging.getLogger("bot.app").exception("listener failed", exc_info=error)
    return caplog.text + "".join(traceback.format_exception(error)) + repr(error)


def record(engine: Engine, *, user_id: str) -> None:
    with session_scope(engine) as session:
        commands.record(
            session=session, team_id=TEAM, user_id=user_id, channel_id="C1", text=COMMAND,
            response_url=RESPONSE_URL, now=NOW,
        )  # fmt: skip


def test_a_constraint_violation_logs_no_row_data(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # A command without a user breaks the NOT NULL constraint; PostgreSQL's message quotes the
    # whole failing row, SQLAlchemy's lists the statement's parameters.
    with pytest.raises(DBAPIError) as failure:
        record(engine, user_id=cast(str, None))
    seen = logged_failure(caplog, failure.value)
    assert "user_id" in seen  # the failure itself is still told
    for secret in SECRETS:
        assert secret not in seen


def record_on_a_dropped_connection(engine: Engine) -> None:
    with session_scope(engine) as session:
        connection = session.connection()
        if engine.dialect.name == "postgresql":
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with engine.connect() as other:  # the server ends the session, as a restart does
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            connection.connection.dbapi_connection.close()  # type: ignore[union-attr]
        commands.record(
            session=session, team_id=TEAM, user_id=ALICE, channel_id="C1", text=COMMAND,
            response_url=RESPONSE_URL, now=NOW,
        )  # fmt: skip


def test_a_connection_dropped_mid_insert_logs_no_row_data(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DBAPIError) as failure:
        record_on_a_dropped_connection(engine)
    seen = logged_failure(caplog, failure.value)
    assert "slack_command" in seen
    for secret in SECRETS:
        assert secret not in seen


def test_a_failure_still_keeps_its_detail_for_a_debugger(postgres_engine: Engine) -> None:
    """Only PostgreSQL writes a DETAIL (the failing row), kept for a debugger, never logged."""
    with pytest.raises(DBAPIError) as failure:
        record(postgres_engine, user_id=cast(str, None))
    assert "Failing row contains" in failure.value.orig.diag.message_detail  # type: ignore[union-attr]
