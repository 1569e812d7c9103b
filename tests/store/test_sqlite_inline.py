"""SQLite on the event loop's thread: another process holding the writer never stalls the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from warroom.store import sqlite_inline
from warroom.store.engine import Store, create_engine


def _hold_writer(path: Path) -> sqlite3.Connection:
    """Another process's view of the file: a connection that has taken the write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO facts (text) VALUES ('theirs')")
    return other


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "inline.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE facts (id INTEGER PRIMARY KEY, text TEXT)")
    return path


async def test_a_busy_writer_is_waited_for_while_the_loop_runs_on(database: Path) -> None:
    store = Store(create_engine(f"sqlite+aiosqlite:///{database}"))
    other = _hold_writer(database)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with store.transaction() as session:
            await session.execute(text("INSERT INTO facts (text) VALUES ('ours')"))

    ticker = asyncio.create_task(tick())
    writing = asyncio.create_task(write())
    async with asyncio.timeout(5):  # the loop runs on while SQLite is busy: ticks go on
        while ticks < 20:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
    assert not writing.done(), "the loop stalled while SQLite was busy"
    other.commit()
    await asyncio.wait_for(writing, 5)
    ticker.cancel()
    async with store.read() as session:
        rows = (await session.execute(text("SELECT text FROM facts ORDER BY id"))).scalars()
        assert list(rows) == ["theirs", "ours"]
    await store.dispose()
    other.close()


async def test_a_writer_held_past_the_timeout_fails_with_sqlites_error(database: Path) -> None:
    connection = await sqlite_inline.connect(str(database), busy_timeout_s=0.2)
    other = _hold_writer(database)
    cursor = connection.cursor()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await cursor.execute("BEGIN IMMEDIATE")
    other.rollback()
    await cursor.execute("BEGIN IMMEDIATE")
    await cursor.execute("INSERT INTO facts (text) VALUES (?)", ("after",))
    await connection.commit()
    assert [row[0] for row in other.execute("SELECT text FROM facts")] == ["after"]
    await connection.close()
    other.close()


async def test_errors_other_than_busy_are_raised_at_once(database: Path) -> None:
    connection = await sqlite_inline.connect(str(database), busy_timeout_s=30)
    cursor = connection.cursor()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await asyncio.wait_for(cursor.execute("SELECT * FROM nowhere"), 1)
    await connection.close()
