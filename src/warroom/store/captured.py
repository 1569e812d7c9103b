"""Timeline entries captured from Slack messages, written by group commit.

A message is keyed by (channel, ts): inserting one that has an entry already
does nothing, so a repeated or retried event never doubles an entry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.dialect import insert_on_conflict
from warroom.store.engine import Store
from warroom.store.models import TimelineEntryRow

__all__ = ["CapturedWriter", "NewCaptured", "insert_captured"]


@dataclass(frozen=True)
class NewCaptured:
    """An entry for Slack message (channel_id, ts), to insert unless it has one."""

    incident_id: int
    channel_id: str
    ts: str
    kind: str
    author_id: str | None
    text: str
    occurred_at: datetime
    recorded_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "kind": self.kind,
            "author_id": self.author_id,
            "text": self.text,
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
            "slack_channel_id": self.channel_id,
            "slack_ts": self.ts,
            "highlighted": False,
            "edited_at": self.edited_at,
            "deleted_at": self.deleted_at,
            "data": self.data,
        }


_INSERTS: dict[str, Any] = {}


def _insert_captured(session: AsyncSession) -> Any:
    """One Core statement per dialect, built once: its compiled form stays cached."""
    dialect = session.get_bind().dialect.name
    stmt = _INSERTS.get(dialect)
    if stmt is None:
        table = TimelineEntryRow.__table__
        stmt = (
            insert_on_conflict(session, table)
            .on_conflict_do_nothing(index_elements=["slack_channel_id", "slack_ts"])
            .returning(table.c.id, table.c.slack_channel_id, table.c.slack_ts)
        )
        _INSERTS[dialect] = stmt
    return stmt


async def insert_captured(
    session: AsyncSession, entries: Sequence[NewCaptured]
) -> list[int | None]:
    """Insert in one statement; per entry its new id, or None where the message has an entry
    already (also for a repeat of an earlier message in `entries`)."""
    if not entries:
        return []
    rows = await session.execute(_insert_captured(session), [e.params() for e in entries])
    created = {(channel, ts): entry_id for entry_id, channel, ts in rows}
    return [created.pop((e.channel_id, e.ts), None) for e in entries]


class CapturedWriter:
    """Group commit for new captured entries: while one group is being committed the next
    gathers, so N messages arriving together cost a few transactions instead of N (and
    on SQLite one writer instead of N waiting for the lock). Each caller returns only
    once its own entry is committed."""

    GROUP_MAX = 200

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[NewCaptured, asyncio.Future[int | None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def insert(self, entry: NewCaptured) -> int | None:
        """The new entry's id, or None if the message has an entry already."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            group: list[tuple[NewCaptured, asyncio.Future[int | None]]] = []
            try:
                async with self._store.transaction() as session:
                    group = self._take()
                    ids = await insert_captured(session, [entry for entry, _ in group])
            except Exception as exc:
                if group:
                    await self._one_by_one(group, exc)
                else:  # no transaction at all (the store is down): fail what was waiting
                    _fail(self._take(), exc)
                continue
            except BaseException as exc:
                _fail(group, exc)
                raise
            for (_, future), entry_id in zip(group, ids, strict=True):
                if not future.done():
                    future.set_result(entry_id)

    def _take(self) -> list[tuple[NewCaptured, asyncio.Future[int | None]]]:
        """Everything that gathered while this group waited for the writer (on SQLite the
        lock is taken when the transaction begins): the busier the store, the bigger the group."""
        group = self._waiting[: self.GROUP_MAX]
        del self._waiting[: self.GROUP_MAX]
        return group

    async def _one_by_one(
        self, group: list[tuple[NewCaptured, asyncio.Future[int | None]]], error: Exception
    ) -> None:
        """One bad entry must not fail the others: retry each alone."""
        if len(group) == 1:
            _fail(group, error)
            return
        for entry, future in group:
            try:
                async with self._store.transaction() as session:
                    (entry_id,) = await insert_captured(session, [entry])
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(entry_id)


def _fail(
    group: list[tuple[NewCaptured, asyncio.Future[int | None]]], error: BaseException
) -> None:
    for _, future in group:
        if not future.done():
            future.set_exception(error)
