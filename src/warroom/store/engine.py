"""Engine and the unit of work: the only place that commits.

SQLite runs on the event loop's thread (`sqlite_inline`; the store's transactions
use a synchronous Session there, behind AsyncSession's face) and gets WAL, enforced
foreign keys and `BEGIN IMMEDIATE` transactions:
every transaction takes the write lock up front and waits for it, so two
concurrent writers queue instead of failing with "database is locked" halfway.
Reads that write nothing (`Store.read`) take a plain `BEGIN` instead: in WAL
mode they see the last commit without queueing behind writers or blocking them
(on PostgreSQL they run in autocommit).
PostgreSQL gets pre-ping so a restarted server costs one reconnect, not an error:
each transaction takes its connection before its body runs, and a pooled
connection that died is noticed then and replaced once, before anything is
written on it. While the server is down nothing more is retried here: the
transaction fails fast with `DatabaseUnavailable`, so each entry point can answer
in its own way (Slack retries an event; a person is asked to try again).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

from sqlalchemy import Connection, Engine, event, exc, make_url
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.orm import sessionmaker

from warroom.store import sqlite_inline

__all__ = ["Conflict", "DatabaseUnavailable", "Session", "Store", "create_engine"]

SQLITE_BUSY_TIMEOUT_S = 30
_READ_ONLY = "warroom_read_only"
PG_CONNECT_TIMEOUT_S = 2
"""A server that does not answer at all fails a request well inside Slack's 3 seconds."""
_UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, timed out
    exc.TimeoutError,  # no pooled connection came free
)
_ASYNCPG_UNREACHABLE = (
    "PostgresConnectionError",
    "OperatorInterventionError",  # shutting down, starting up, crashed
    "TooManyConnectionsError",
)


def _driver_unreachable() -> tuple[type[BaseException], ...]:
    """asyncpg's own connection errors, once asyncpg is loaded (it is imported by the
    PostgreSQL dialect, so a SQLite deployment never pays for importing it)."""
    driver = sys.modules.get("asyncpg.exceptions")
    if driver is None:
        return ()
    return tuple(getattr(driver, name) for name in _ASYNCPG_UNREACHABLE)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        _create_private(database)
        engine = create_async_engine(
            url,
            async_creator=lambda: sqlite_inline.connect(
                database, busy_timeout_s=SQLITE_BUSY_TIMEOUT_S
            ),
            **kwargs,
        )
        _tune_sqlite(engine.sync_engine, begin=Connection.exec_driver_sql)
        return engine
    connect_args = {"timeout": PG_CONNECT_TIMEOUT_S} if "+asyncpg" in url else {}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _create_private(database: str) -> None:
    """A new SQLite file is created readable by its owner only (it holds every incident,
    private ones too); SQLite gives its -wal and -shm files the same mode. An existing
    file keeps the mode it has."""
    if database == ":memory:" or database.startswith("file:"):
        return
    with contextlib.suppress(OSError):  # it exists, or SQLite will say why it cannot
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class DatabaseUnavailable(Exception):
    """The database could not be reached, or dropped the connection before the
    transaction committed (a restart, a failover, a network cut): a passing outage,
    not a bug or a refused write. Nothing in the transaction was acknowledged."""


class Conflict(Exception):
    """A write broke one of the store's rules (a unique key, most often): someone else
    got there first, e.g. the same modal submitted twice or a role taken at the same
    moment. Nothing in the transaction was written."""


Session: TypeAlias = AsyncSession
"""A unit of work as services see it: handed to the store's repository functions,
never queried directly outside `warroom.store`."""


def _unreachable(error: BaseException) -> bool:
    """Connection errors come raw from the driver on connect and wrapped by SQLAlchemy
    mid-statement; either way they are somewhere in the chain."""
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    unreachable = _UNREACHABLE + _driver_unreachable()
    return any(
        isinstance(link, unreachable)
        or (isinstance(link, exc.DBAPIError) and link.connection_invalidated)
        for link in chain
    )


@contextlib.contextmanager
def _outage_reported() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        if _unreachable(error):
            raise DatabaseUnavailable(f"{type(error).__name__}: {error}") from error
        if isinstance(error, exc.IntegrityError):
            raise Conflict(str(error.orig)) from error
        raise


def _tune_sqlite(sync_engine: Engine, *, begin: Callable[[Connection, str], object]) -> None:
    """WAL and foreign keys on every connection; `BEGIN IMMEDIATE` for writers, sent
    by `begin`."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        reading = connection.get_execution_options().get(_READ_ONLY, False)
        begin(connection, "BEGIN" if reading else "BEGIN IMMEDIATE")


def _begin_raw(connection: Connection, statement: str) -> None:
    """Straight to sqlite3: SQLAlchemy's statement machinery cost more than BEGIN."""
    connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]


class _InlineSessions:
    """The store's SQLite transactions: a synchronous engine on the same file, its
    sessions run on the loop's thread (see `sqlite_inline.InlineSession`).

    Writers take turns (`Store` queues them), so they share one connection instead
    of checking one out of the pool for each transaction; readers use the pool."""

    def __init__(self, database: str) -> None:
        if database == ":memory:":
            raise ValueError("Warroom keeps its SQLite database in a file: name one")
        self.engine = create_sync_engine(
            f"sqlite:///{database}",  # a file: a pool of connections, not one per thread
            creator=lambda: sqlite3.connect(database, timeout=0, check_same_thread=False),
        )
        _tune_sqlite(self.engine, begin=_begin_raw)
        self.reads = sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )
        self._writer: Connection | None = None

    def _writes(self) -> SyncSession:
        if self._writer is None:
            self._writer = self.engine.connect()
        return SyncSession(bind=self._writer, expire_on_commit=False)

    def _drop_writer(self) -> None:
        """After a failure the shared connection is not trusted: the next writer opens
        another."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    @asynccontextmanager
    async def run(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        """BEGIN (waiting on the loop while another process holds the writer), the
        block, then COMMIT; ROLLBACK if the block raised."""

        def begin() -> SyncSession:
            session = self._writes() if write else self.reads()
            try:
                session.connection()
            except BaseException:
                session.close()
                if write:
                    self._drop_writer()
                raise
            return session

        session = await sqlite_inline.patiently(begin, SQLITE_BUSY_TIMEOUT_S)
        try:
            yield sqlite_inline.InlineSession(session, SQLITE_BUSY_TIMEOUT_S)
            session.commit()
        except BaseException:
            session.rollback()
            if write:
                self._drop_writer()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self._drop_writer()
        self.engine.dispose()


class Store:
    """Owns the engine; hands out transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        sqlite = engine.dialect.name == "sqlite"
        self._reads = async_sessionmaker(  # PostgreSQL's; SQLite reads run inline
            engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        self._one_writer = asyncio.Lock() if sqlite else None
        self._inline = _InlineSessions(engine.url.database or ":memory:") if sqlite else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back on error.

        SQLite takes one writer at a time; in this process they queue on a lock
        instead of sleeping in SQLite's busy handler (other processes still do).
        """
        one_writer = self._one_writer or contextlib.nullcontext()
        with _outage_reported():
            if self._inline is not None:
                async with one_writer, self._inline.run(write=True) as inline:
                    yield inline
                return
            async with one_writer, self._sessions() as session, session.begin():
                await session.connection()
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads, and must not write. On SQLite it skips the
        writers' queue (under load most of a request's waiting was reads queued behind
        other requests' writes). On PostgreSQL it runs without BEGIN and COMMIT: at READ
        COMMITTED every statement takes its own snapshot inside a transaction as well,
        so they bought nothing but two round trips."""
        with _outage_reported():
            if self._inline is not None:
                async with self._inline.run(write=False) as inline:
                    yield inline
                return
            async with self._reads() as session, session.begin():
                await session.connection()
                yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        await self.engine.dispose()
