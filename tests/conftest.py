"""Shared fixtures: both databases, the Slack stand-in, and Warroom served over real HTTP.

Every test that takes `database_url` runs twice: on SQLite and on PostgreSQL
(`WARROOM_TEST_PG_URL`, default a scratch database on 127.0.0.1:5432 made for
this run and dropped after it, so concurrent runs never share tables).
PostgreSQL not answering is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.harness import Clock, Harness, start_harness
from warroom.store.migrations import upgrade
from warroom.store.models import Base

PG_URL = os.environ.get(
    "WARROOM_TEST_PG_URL",
    f"postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_test_{os.getpid()}",
)


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _recreate_pg_schema(url: str) -> None:
    name = make_url(url).database
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    except OSError as exc:
        raise RuntimeError(
            f"PostgreSQL is not answering at {make_url(url).host}:{make_url(url).port}: {exc}. "
            "Start it (see .ci/run) or set WARROOM_TEST_PG_URL."
        ) from exc
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def _truncate_pg(url: str) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def _drop_pg_database(url: str) -> None:
    admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    asyncio.run(_recreate_pg_schema(PG_URL))
    upgrade(PG_URL)
    yield PG_URL
    if "WARROOM_TEST_PG_URL" not in os.environ:
        asyncio.run(_drop_pg_database(PG_URL))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "warroom.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "warroom.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("pg_url")
    asyncio.run(_truncate_pg(url))
    return url


@pytest.fixture
def clock() -> Clock:
    now = datetime.now(UTC).replace(microsecond=0)
    return Clock(now - timedelta(seconds=1))


@pytest.fixture
async def harness(database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    async with start_harness(database_url, clock) as running:
        yield running
