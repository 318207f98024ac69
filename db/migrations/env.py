"""Alembic's entry point. `stackbot migrate` (db.migrate.upgrade) hands it a connection."""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

import db.models  # noqa: F401 - registers the tables on SQLModel.metadata
from core.settings import Settings
from db.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Plain `alembic -c db/alembic.ini ...` from a developer's shell: the same settings as
    # stackbot's, DATABASE_URL_FILE included.
    engine = make_engine(Settings.from_environ(os.environ).database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
