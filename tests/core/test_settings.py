"""Settings from the environment, and every secret from a file named by NAME_FILE (as Docker
and Kubernetes mount secrets)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.settings import SECRETS, Settings, SettingsError

# Values no message may ever contain.
TOKEN = "xoxb-1111-2222-do-not-show"
PASSWORD = "s3cret-do-not-show"


def secret_file(tmp_path: Path, content: str | bytes, name: str = "secret") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def refusal(environ: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_environ(environ)
    message = str(caught.value)
    assert "\n" not in message, "a refusal is one line"
    return message


@pytest.mark.parametrize("name", SECRETS)
def test_it_reads_every_secret_from_the_file_its_file_variable_names(
    tmp_path: Path, name: str
) -> None:
    value = "sqlite:///from-a-file.db" if name == "DATABASE_URL" else f"{name.lower()}-value"
    path = secret_file(tmp_path, value + "\n")

    settings = Settings.from_environ({f"{name}_FILE": path})

    assert getattr(settings, name.lower()) == value


@pytest.mark.parametrize("name", SECRETS)
def test_it_refuses_a_secret_set_both_ways_in_one_line_naming_both(
    tmp_path: Path, name: str
) -> None:
    path = secret_file(tmp_path, "from-the-file")

    message = refusal({name: "from-the-environment", f"{name}_FILE": path})

    assert message == f"set {name} or {name}_FILE, not both"


@pytest.mark.parametrize("name", SECRETS)
def test_it_names_the_variable_of_a_file_it_cannot_read(tmp_path: Path, name: str) -> None:
    missing = tmp_path / "not-there"

    message = refusal({f"{name}_FILE": str(missing)})

    assert message.startswith(f"{name}_FILE names a file stackbot cannot read: {missing}")
    assert "No such file" in message


def test_it_strips_the_newline_echo_leaves_and_keeps_the_rest(tmp_path: Path) -> None:
    path = secret_file(tmp_path, f"  {TOKEN}\r\n\n")

    settings = Settings.from_environ({"SLACK_BOT_TOKEN_FILE": path})

    assert settings.slack_bot_token == TOKEN


def test_it_normalises_a_postgres_url_read_from_a_file(tmp_path: Path) -> None:
    path = secret_file(tmp_path, f"postgres://stackbot:{PASSWORD}@db:5432/stackbot\n")

    settings = Settings.from_environ({"DATABASE_URL_FILE": path})

    assert settings.database_url == f"postgresql+psycopg://stackbot:{PASSWORD}@db:5432/stackbot"
    assert PASSWORD not in repr(settings)


def test_it_takes_an_empty_variable_beside_a_file_as_unset(tmp_path: Path) -> None:
    # compose files often carry `SLACK_BOT_TOKEN: ""` from a template.
    path = secret_file(tmp_path, TOKEN)

    settings = Settings.from_environ({"SLACK_BOT_TOKEN": " ", "SLACK_BOT_TOKEN_FILE": path})

    assert settings.slack_bot_token == TOKEN


def test_it_refuses_an_empty_file_rather_than_running_without_the_secret(tmp_path: Path) -> None:
    path = secret_file(tmp_path, "\n")

    assert refusal({"SLACK_SIGNING_SECRET_FILE": path}) == (
        f"SLACK_SIGNING_SECRET_FILE names an empty file: {path}"
    )


def test_it_refuses_a_directory_in_one_line(tmp_path: Path) -> None:
    message = refusal({"SLACK_APP_TOKEN_FILE": str(tmp_path)})

    assert message.startswith(f"SLACK_APP_TOKEN_FILE names a file stackbot cannot read: {tmp_path}")


def test_it_never_repeats_a_file_it_cannot_decode(tmp_path: Path) -> None:
    path = secret_file(tmp_path, b"\xff\xfe" + TOKEN.encode())

    message = refusal({"SLACK_BOT_TOKEN_FILE": path})

    assert message == f"SLACK_BOT_TOKEN_FILE names a file that is not UTF-8 text: {path}"
    assert "xff" not in message
    assert TOKEN not in message


def test_it_never_repeats_a_database_file_that_holds_something_else(tmp_path: Path) -> None:
    # A signing secret mounted as the database URL by mistake must not reach the terminal.
    path = secret_file(tmp_path, PASSWORD)

    message = refusal({"DATABASE_URL_FILE": path})

    assert message == (
        "DATABASE_URL_FILE must hold a sqlite:/// path or a postgresql:// URL; "
        "its file holds no URL"
    )


def test_it_names_only_the_scheme_of_a_wrong_database_url_in_a_file(tmp_path: Path) -> None:
    path = secret_file(tmp_path, f"mysql://stackbot:{PASSWORD}@db/stackbot")

    message = refusal({"DATABASE_URL_FILE": path})

    assert message.endswith("its file holds a mysql:// URL")
    assert PASSWORD not in message
    assert "stackbot@" not in message


def test_it_still_masks_the_password_of_a_wrong_database_url_in_the_environment() -> None:
    message = refusal({"DATABASE_URL": f"mysql://stackbot:{PASSWORD}@db/stackbot"})

    assert message == (
        "DATABASE_URL must be a sqlite:/// path or a postgresql:// URL, "
        "not 'mysql://stackbot:***@db/stackbot'"
    )


def test_it_leaves_metrics_off_unless_a_token_is_set(tmp_path: Path) -> None:
    assert Settings.from_environ({}).metrics_token is None
    assert Settings.from_environ({"METRICS_TOKEN": "  "}).metrics_token is None
    assert Settings.from_environ({"METRICS_TOKEN": "scrape-me"}).metrics_token == "scrape-me"


def test_it_shows_no_secret_when_settings_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    environ = {
        f"{name}_FILE": secret_file(tmp_path, f"{name}-{PASSWORD}", name)
        for name in SECRETS
        if name != "DATABASE_URL"
    }
    environ["DATABASE_URL_FILE"] = secret_file(
        tmp_path, f"postgresql://stackbot:{PASSWORD}@db/stackbot", "DATABASE_URL"
    )
    settings = Settings.from_environ(environ)

    with caplog.at_level(logging.INFO):
        logging.getLogger("stackbot.test").info("settings: %s %r", settings, settings)

    assert PASSWORD not in caplog.text
    assert "postgresql+psycopg://stackbot:***@db/stackbot" in caplog.text


def test_the_secret_list_is_every_secret_field() -> None:
    # A secret added to Settings without a NAME_FILE form would be the one Docker users cannot
    # mount; the fields that are not secret are named here on purpose.
    not_secret = {
        "slack_client_id",
        "slack_api_url",
        "port",
        "host",
        "web_concurrency",
        "log_level",
        "log_format",
        "database_wait_seconds",
        "openai_api_url",
        "anthropic_api_url",
        "costs_team",
    }

    fields = set(Settings.__dataclass_fields__)

    assert fields - not_secret == {name.lower() for name in SECRETS}


def test_it_reads_the_log_format_and_the_database_wait() -> None:
    settings = Settings.from_environ({"LOG_FORMAT": "JSON", "DATABASE_WAIT_SECONDS": "5"})
    assert (settings.log_format, settings.database_wait_seconds) == ("json", 5)
    assert (Settings().log_format, Settings().database_wait_seconds) == ("plain", 60)
    with pytest.raises(SettingsError, match="LOG_FORMAT must be plain or json, not 'xml'"):
        Settings.from_environ({"LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="DATABASE_WAIT_SECONDS must be a number of seconds"):
        Settings.from_environ({"DATABASE_WAIT_SECONDS": "-1"})


def test_it_reads_the_provider_admin_keys_from_the_environment_or_a_file(tmp_path: Path) -> None:
    key = tmp_path / "anthropic"
    key.write_text("sk-ant-admin01-secret\n")
    settings = Settings.from_environ(
        {"OPENAI_ADMIN_KEY": "sk-admin-secret", "ANTHROPIC_ADMIN_KEY_FILE": str(key)}
    )
    assert settings.openai_admin_key == "sk-admin-secret"
    assert settings.anthropic_admin_key == "sk-ant-admin01-secret"
    assert "secret" not in repr(settings)
    with pytest.raises(SettingsError, match="OPENAI_API_URL must be an http"):
        Settings.from_environ({"OPENAI_API_URL": "ftp://x"})
