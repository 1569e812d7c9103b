"""Alembic environment: async engine; the URL comes from `warroom migrate` or `DATABASE_URL`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from warroom.config import load_settings
from warroom.store.engine import create_engine
from warroom.store.models import Base
from warroom.store.search import is_search_object

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    return str(url) if url else load_settings().database_url


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The search's FTS5 tables (SQLite) and expression indexes (PostgreSQL) are made by
    migration 0011, not described by the models: autogenerate leaves them alone."""
    return not (type_ in {"table", "index"} and is_search_object(name))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
