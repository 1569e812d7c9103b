"""Alembic from code: `warroom migrate`, and the schema check before serving."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from warroom.store.engine import Store

__all__ = ["alembic_config", "current_revision", "head_revision", "migrations_dir", "upgrade"]


def migrations_dir() -> Path:
    """The `warroom.migrations` package on disk, wherever Warroom is installed."""
    scripts = resources.files("warroom.migrations")
    if not isinstance(scripts, Path) or not (scripts / "env.py").is_file():
        raise RuntimeError(
            f"migrations not found in {scripts}: install Warroom unzipped (pip install)"
        )
    return scripts


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Bring the schema to the newest revision (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(database_url), "head")


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current_revision(store: Store) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with store.engine.connect() as connection:
        return await connection.run_sync(read)
