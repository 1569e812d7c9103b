"""Group commit: many small writes arriving together share one transaction.

While one group is being committed the next gathers, so N writes arriving together
cost a few transactions instead of N (and on SQLite one writer instead of N waiting
for the lock). Each caller returns only once its own write is committed. A group
that fails is retried one write at a time, so one bad write fails only its caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.engine import Store

__all__ = ["GroupCommit"]

T = TypeVar("T")
R = TypeVar("R")
_Waiting = list[tuple[T, "asyncio.Future[R]"]]


class GroupCommit(Generic[T, R]):
    """`write(session, items)` returns one result per item, in order."""

    GROUP_MAX = 200

    def __init__(
        self, store: Store, write: Callable[[AsyncSession, Sequence[T]], Awaitable[list[R]]]
    ) -> None:
        self._store = store
        self._write = write
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """`item`'s result, once the transaction that wrote it is committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            group: list[tuple[T, asyncio.Future[R]]] = []
            try:
                async with self._store.transaction() as session:
                    group = self._take()
                    results = await self._write(session, [item for item, _ in group])
            except Exception as exc:
                if group:
                    await self._one_by_one(group, exc)
                else:  # no transaction at all (the store is down): fail what was waiting
                    _fail(self._take(), exc)
                continue
            except BaseException as exc:
                _fail(group, exc)
                raise
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(result)

    def _take(self) -> list[tuple[T, asyncio.Future[R]]]:
        """Everything that gathered while this group waited for the writer (on SQLite the
        lock is taken when the transaction begins): the busier the store, the bigger the group."""
        group = self._waiting[: self.GROUP_MAX]
        del self._waiting[: self.GROUP_MAX]
        return group

    async def _one_by_one(self, group: list[tuple[T, asyncio.Future[R]]], error: Exception) -> None:
        if len(group) == 1:
            _fail(group, error)
            return
        for item, future in group:
            try:
                async with self._store.transaction() as session:
                    (result,) = await self._write(session, [item])
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)


def _fail(group: Sequence[tuple[object, asyncio.Future[R]]], error: BaseException) -> None:
    for _, future in group:
        if not future.done():
            future.set_exception(error)
