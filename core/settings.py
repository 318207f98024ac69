"""The one typed settings object, read from an environment mapping the caller passes in.

Every secret may instead come from a file named by `NAME_FILE`, as Docker and Kubernetes
secrets are mounted (`/run/secrets/...`): the file's content with surrounding whitespace (the
newline `echo` or an editor leaves) stripped. Setting both is refused, since one of them would
be silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///stackbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_OPENAI_API_URL = "https://api.openai.com/v1/"
DEFAULT_ANTHROPIC_API_URL = "https://api.anthropic.com/v1/"
# The variables that hold a secret, each of which may also be given as NAME_FILE.
SECRETS = (
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
    "METRICS_TOKEN",
    "OPENAI_ADMIN_KEY",
    "ANTHROPIC_ADMIN_KEY",
)


class SettingsError(ValueError):
    """A variable is set to something stackbot cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    host: str = "0.0.0.0"
    web_concurrency: int = 2
    log_level: str = "INFO"
    log_format: str = "plain"  # or "json": one JSON object a line, for a log pipeline
    # How long a process that runs for a while waits for the database at start-up.
    database_wait_seconds: int = 60
    # Guards /metrics: off unless set, and then a bearer token.
    metrics_token: str | None = None
    # Admin keys of the provider cost APIs the clock pulls daily (stack.costs); never stored.
    openai_admin_key: str | None = None
    anthropic_admin_key: str | None = None
    openai_api_url: str = DEFAULT_OPENAI_API_URL
    anthropic_api_url: str = DEFAULT_ANTHROPIC_API_URL
    # The workspace whose actual spend the pulled costs are (needed only with several).
    costs_team: str | None = None

    def __repr__(self) -> str:
        # Secrets never reach a log line, even by accident.
        return f"Settings(database_url={self.database_shown!r}, port={self.port})"

    @property
    def database_shown(self) -> str:
        """The database URL fit for a log line: its password masked."""
        return _redact_url(self.database_url)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        def text(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        def secret(name: str) -> str | None:
            path = text(f"{name}_FILE")
            if path is None:
                return text(name)
            if text(name) is not None:
                raise SettingsError(f"set {name} or {name}_FILE, not both")
            return _read_secret(f"{name}_FILE", path)

        from_file = text("DATABASE_URL_FILE") is not None
        database_url = secret("DATABASE_URL") or DEFAULT_DATABASE_URL
        if database_url.startswith("postgres://"):
            # Heroku-style URLs name no driver; SQLAlchemy needs one.
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
        if not database_url.startswith(("sqlite:", "postgresql+psycopg://")):
            # A file's content is not repeated: it may be some other secret put there by mistake.
            if from_file:
                scheme, sep, _ = database_url.partition("://")
                found = f"a {scheme}:// URL" if sep and scheme.isalnum() else "no URL"
                raise SettingsError(
                    "DATABASE_URL_FILE must hold a sqlite:/// path or a postgresql:// URL; "
                    f"its file holds {found}"
                )
            raise SettingsError(
                "DATABASE_URL must be a sqlite:/// path or a postgresql:// URL, "
                f"not {_redact_url(database_url)!r}"
            )
        port_text = text("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT must be a port number (1-65535), not {port_text!r}")
        workers_text = text("WEB_CONCURRENCY") or "2"
        if not workers_text.isdigit() or not 0 < int(workers_text) <= 64:
            raise SettingsError(
                f"WEB_CONCURRENCY must be a number of processes (1-64), not {workers_text!r}"
            )
        level = (text("LOG_LEVEL") or "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
        log_format = (text("LOG_FORMAT") or "plain").lower()
        if log_format not in {"plain", "json"}:
            raise SettingsError(f"LOG_FORMAT must be plain or json, not {log_format!r}")
        wait_text = text("DATABASE_WAIT_SECONDS") or "60"
        if not wait_text.isdigit() or int(wait_text) > 3600:
            raise SettingsError(
                f"DATABASE_WAIT_SECONDS must be a number of seconds (0-3600), not {wait_text!r}"
            )
        api_url = text("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        urls = {}
        for name, default in (
            ("OPENAI_API_URL", DEFAULT_OPENAI_API_URL),
            ("ANTHROPIC_API_URL", DEFAULT_ANTHROPIC_API_URL),
        ):  # fmt: skip
            url = text(name) or default
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"{name} must be an http(s) URL, not {url!r}")
            urls[name] = url if url.endswith("/") else url + "/"
        return cls(
            database_url=database_url,
            slack_bot_token=secret("SLACK_BOT_TOKEN"),
            slack_signing_secret=secret("SLACK_SIGNING_SECRET"),
            slack_app_token=secret("SLACK_APP_TOKEN"),
            slack_client_id=text("SLACK_CLIENT_ID"),
            slack_client_secret=secret("SLACK_CLIENT_SECRET"),
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            port=int(port_text),
            host=text("HOST") or "0.0.0.0",
            web_concurrency=int(workers_text),
            log_level=level,
            log_format=log_format,
            database_wait_seconds=int(wait_text),
            metrics_token=secret("METRICS_TOKEN"),
            openai_admin_key=secret("OPENAI_ADMIN_KEY"),
            anthropic_admin_key=secret("ANTHROPIC_ADMIN_KEY"),
            openai_api_url=urls["OPENAI_API_URL"],
            anthropic_api_url=urls["ANTHROPIC_API_URL"],
            costs_team=text("COSTS_TEAM"),
        )


def _read_secret(variable: str, path: str) -> str:
    """The secret in the file `variable` names. A message names the variable and the path,
    never what the file holds (a decoding error would quote its bytes, so it is not passed on)."""
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise SettingsError(f"{variable} names a file that is not UTF-8 text: {path}") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SettingsError(
            f"{variable} names a file stackbot cannot read: {path} ({reason})"
        ) from None
    if not value:
        raise SettingsError(f"{variable} names an empty file: {path}")
    return value


def _redact_url(url: str) -> str:
    """The URL with any password replaced, fit for a message or a log line."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
