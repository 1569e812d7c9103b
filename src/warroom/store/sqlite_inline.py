"""SQLite for SQLAlchemy's aiosqlite dialect, run on the event loop's own thread.

aiosqlite hands every call to a thread of its own and waits for the answer: a
statement is four such round trips (open the cursor, execute, fetch, close), and
on a busy event loop each answer waits for the loop to come round. A write
transaction then held the one SQLite writer for milliseconds while its statements,
which take microseconds on a local WAL file, queued for their turn (issue 6's load
run: the writer was busy half the time at 100 requests per second). Here each call
runs where it is made, and a transaction runs from `BEGIN` to `COMMIT` without
handing the loop to anything else.

The one wait that could stall the loop is SQLite's own lock wait, when another
process holds the writer (a `warroom migrate`, a CLI export mid-checkpoint). So
the busy handler is off and a statement that finds the database busy is retried
here, sleeping on the loop between tries, until `busy_timeout_s`.

The objects mimic the part of aiosqlite's API that SQLAlchemy's adapter uses,
including the queue it sets `isolation_level` through. `create_engine` passes
`connect` as `async_creator`; the URL stays `sqlite+aiosqlite://`.

The store's own transactions go one step further (`InlineSession`): SQLAlchemy's
asyncio layer runs every call of a session in a greenlet of its own, which cost
about 0.3 ms of CPU per transaction (a declaration makes nine) for a driver that
never waits. They use a plain synchronous Session on the same file instead,
behind AsyncSession's face, and wait for a busy writer the same way.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from asyncio import Future
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

__all__ = ["Connection", "InlineSession", "connect", "patiently"]

T = TypeVar("T")

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_FIRST_WAIT_S = 0.001
_LONGEST_WAIT_S = 0.05


def _busy(error: Exception) -> bool:
    """SQLite's busy or locked, raw from sqlite3 or wrapped by SQLAlchemy."""
    if isinstance(error, exc.DBAPIError):
        error = error.orig  # type: ignore[assignment]
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


async def patiently(call: Callable[[], T], busy_timeout_s: float) -> T:
    """Run `call`; while SQLite answers busy or locked, sleep and try again."""
    deadline = time.monotonic() + busy_timeout_s
    wait = _FIRST_WAIT_S
    while True:
        try:
            return call()
        except (sqlite3.OperationalError, exc.OperationalError) as error:
            if not _busy(error) or time.monotonic() + wait > deadline:
                raise
        await asyncio.sleep(wait)
        wait = min(wait * 2, _LONGEST_WAIT_S)


class Cursor:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor = connection.raw.cursor()

    def __await__(self) -> Generator[Any, None, Cursor]:
        """aiosqlite's `cursor()` is awaited (SQLAlchemy 2.0) or entered (2.1)."""
        return self.__aenter__().__await__()

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Cursor:
        await self._connection.patiently(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        batch = list(rows)
        await self._connection.patiently(lambda: self._cursor.executemany(sql, batch))
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """SQLAlchemy sets `isolation_level` by queueing a call for aiosqlite's thread
    (`_tx.put_nowait((future, call))`); there is no thread, so it runs at once."""

    def put_nowait(self, item: tuple[Future[Any] | None, Callable[[], Any]]) -> None:
        future, call = item
        try:
            result = call()
        except BaseException as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class Connection:
    def __init__(self, raw: sqlite3.Connection, busy_timeout_s: float) -> None:
        self.raw = raw
        self.busy_timeout_s = busy_timeout_s
        self._conn = raw
        self._tx = _RunNow()

    @property
    def _connection(self) -> sqlite3.Connection:
        """aiosqlite's name for the open connection; SQLAlchemy checks it before a
        commit or rollback."""
        return self.raw

    async def patiently(self, call: Callable[[], object]) -> None:
        await patiently(call, self.busy_timeout_s)

    def cursor(self) -> Cursor:
        return Cursor(self)

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await self.patiently(self.raw.commit)

    async def rollback(self) -> None:
        self.raw.rollback()

    async def close(self) -> None:
        self.raw.close()

    def stop(self) -> None:
        self.raw.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.raw.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level


async def connect(database: str, *, busy_timeout_s: float) -> Connection:
    """Open `database` (a path, or `:memory:`) with SQLite's own busy handler off."""
    raw = sqlite3.connect(database, timeout=0, check_same_thread=False)
    return Connection(raw, busy_timeout_s)


class InlineSession(AsyncSession):
    """AsyncSession's face over a synchronous Session: the calls repositories make
    run at once on the loop's thread, waiting on the loop while SQLite is busy.

    Anything not overridden here still works through AsyncSession's greenlet
    (a greenlet runs a synchronous driver fine); it is only slower.
    """

    def __init__(self, sync_session: Session, busy_timeout_s: float) -> None:
        # Not AsyncSession.__init__: it builds its own Session from an AsyncEngine.
        self._async_bind = None
        self._async_binds = {}
        self.sync_session = self._proxied = self._assign_proxied(sync_session)
        self.busy_timeout_s = busy_timeout_s

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await patiently(
            lambda: self.sync_session.execute(*args, **kwargs), self.busy_timeout_s
        )

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await patiently(
            lambda: self.sync_session.scalar(*args, **kwargs), self.busy_timeout_s
        )

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return await patiently(
            lambda: self.sync_session.scalars(*args, **kwargs), self.busy_timeout_s
        )

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await patiently(lambda: self.sync_session.get(*args, **kwargs), self.busy_timeout_s)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        return await patiently(
            lambda: self.sync_session.get_one(*args, **kwargs), self.busy_timeout_s
        )

    async def flush(self, objects: Sequence[Any] | None = None) -> None:
        self.sync_session.flush(objects)
