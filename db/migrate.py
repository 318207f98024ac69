"""Bring a database up to the newest schema; safe to call on every start.

Alembic (and, through the migration scripts, slack_sdk's OAuth tables) loads only when there is
a migration to run: a store already up to date is recognised by reading its version row and the
scripts' `revision` lines, which costs a terminal command far less than loading alembic
(bench/README.md)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: PostgreSQL advisory locks are keyed by a bigint.
_LOCK_KEY = 0x57AC_B07
_REVISION = re.compile(r"^(down_)?revision: [^=]*= (None|\"([^\"]+)\")$", re.MULTILINE)


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head() -> str:
    """The newest revision: the one no script names as its down_revision (read once per
    process from the scripts' text; tests/db/test_store.py checks it against alembic's)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, _, name in _REVISION.findall(script.read_text(encoding="utf-8")):
            if name:
                (parents if down else revisions).add(name)
    heads = revisions - parents
    assert len(heads) == 1, f"the migrations must have one head, not {sorted(heads)}"
    return heads.pop()


def current(engine: Engine) -> str | None:
    """The store's revision, as alembic wrote it in alembic_version; None for an empty store."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if found is None else str(found)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied. Two processes starting at once take turns."""
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
