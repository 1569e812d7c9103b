"""Alembic from code: `warroom migrate`, and the schema check before serving.

Serving only compares the database's revision with `HEAD_REVISION`, in plain SQL,
so `warroom serve` does not import Alembic (a fifth of its start-up); Alembic is
loaded when there is something to migrate.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from warroom.store.engine import Store

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["HEAD_REVISION", "alembic_config", "current_revision", "migrations_dir", "upgrade"]

HEAD_REVISION = "0015"
"""The newest revision in `warroom.migrations`; a test holds it equal to Alembic's head."""


def migrations_dir() -> Path:
    """The `warroom.migrations` package on disk, wherever Warroom is installed."""
    scripts = resources.files("warroom.migrations")
    if not isinstance(scripts, Path) or not (scripts / "env.py").is_file():
        raise RuntimeError(
            f"migrations not found in {scripts}: install Warroom unzipped (pip install)"
        )
    return scripts


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Bring the schema to the newest revision (blocking; runs its own event loop)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


async def current_revision(store: Store) -> str | None:
    """The revision the database is at; None for an empty database."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        return found.scalar_one_or_none()

    async with store.engine.connect() as connection:
        return await connection.run_sync(read)
