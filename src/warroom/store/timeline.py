"""Timeline entries: facts appended, never overwritten.

An entry captured from Slack is keyed by (channel, ts). Its `text` is the
newest version seen; every other version (the original before an edit, or an
older edit that arrived late) is a row in `timeline_revisions`. Highlights are
per-source switches in `timeline_highlights`; `highlighted` on the entry is
kept equal to "some source is on" under a lock on the entry row.

`text` is in Slack's format (entities, `<@U…>` mentions) for the kinds in
`SLACK_FORMAT_KINDS` and for any entry whose `data` has `"slack_format": true`;
entries written by services (declared, role_changed, ...) are plain text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from warroom.store.dialect import insert_on_conflict
from warroom.store.engine import Store
from warroom.store.models import TimelineEntryRow, TimelineHighlightRow, TimelineRevisionRow

__all__ = [
    "CAPTURED_KINDS",
    "PENDING",
    "SLACK_FORMAT_KINDS",
    "TYPED_KINDS",
    "CapturedWriter",
    "NewCaptured",
    "TimelineItem",
    "add_revision",
    "append",
    "count_key_entries",
    "find_by_ref",
    "highlights",
    "insert_captured",
    "key_entries",
    "lock_by_ref",
    "refresh_highlighted",
    "revisions",
    "set_highlight",
    "to_item",
]

PENDING = "pending"
"""A placeholder: something (a reaction) pointed at a message not stored yet."""
CAPTURED_KINDS = ("message", "file_share", "bot_message", PENDING)
TYPED_KINDS = ("note", "symptom", "hypothesis", "action", "result")
SLACK_FORMAT_KINDS = frozenset(CAPTURED_KINDS + TYPED_KINDS)


@dataclass(frozen=True)
class TimelineItem:
    """An entry as the rest of the code sees it."""

    id: int
    kind: str
    author_id: str | None
    text: str
    slack_format: bool
    """`text` is in Slack's format (show it with `mrkdwn.requote`), else plain."""
    occurred_at: datetime
    highlighted: bool
    edited_at: datetime | None
    deleted_at: datetime | None
    files: tuple[str, ...] = ()


def to_item(row: TimelineEntryRow) -> TimelineItem:
    data = row.data or {}
    return TimelineItem(
        id=row.id,
        kind=row.kind,
        author_id=row.author_id,
        text=row.text,
        slack_format=row.kind in SLACK_FORMAT_KINDS or bool(data.get("slack_format")),
        occurred_at=row.occurred_at,
        highlighted=row.highlighted,
        edited_at=row.edited_at,
        deleted_at=row.deleted_at,
        files=tuple(str(name) for name in data.get("files") or ()),
    )


async def append(
    session: AsyncSession,
    *,
    incident_id: int,
    kind: str,
    author_id: str | None,
    text: str,
    occurred_at: datetime,
    recorded_at: datetime,
    data: dict[str, Any] | None = None,
) -> TimelineEntryRow:
    row = TimelineEntryRow(
        incident_id=incident_id,
        kind=kind,
        author_id=author_id,
        text=text,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        data=data or {},
    )
    session.add(row)
    await session.flush()
    return row


async def reminder_logged(session: AsyncSession, incident_id: int, job_id: int) -> bool:
    """Whether the reminder sent by job `job_id` is on the incident's timeline."""
    rows = await session.execute(
        select(TimelineEntryRow.data).where(
            TimelineEntryRow.incident_id == incident_id, TimelineEntryRow.kind == "reminder"
        )
    )
    return any((data or {}).get("job_id") == job_id for data in rows.scalars())


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


def _ref(channel_id: str, ts: str) -> ColumnElement[bool]:
    return and_(TimelineEntryRow.slack_channel_id == channel_id, TimelineEntryRow.slack_ts == ts)


async def lock_by_ref(session: AsyncSession, channel_id: str, ts: str) -> TimelineEntryRow | None:
    """The entry of a Slack message, locked until the transaction ends (PostgreSQL; SQLite's
    `BEGIN IMMEDIATE` already serialises writers)."""
    found = await session.execute(
        select(TimelineEntryRow)
        .where(_ref(channel_id, ts))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found.scalar_one_or_none()


async def find_by_ref(session: AsyncSession, channel_id: str, ts: str) -> TimelineEntryRow | None:
    found = await session.execute(select(TimelineEntryRow).where(_ref(channel_id, ts)))
    return found.scalar_one_or_none()


async def add_revision(
    session: AsyncSession,
    *,
    entry_id: int,
    version_ts: str,
    text: str,
    written_at: datetime,
    recorded_at: datetime,
) -> None:
    """Keep a version of an entry's text; the same version twice is stored once."""
    stmt = insert_on_conflict(session, TimelineRevisionRow).values(
        entry_id=entry_id,
        version_ts=version_ts,
        text=text,
        written_at=written_at,
        recorded_at=recorded_at,
    )
    await session.execute(
        stmt.on_conflict_do_nothing(
            index_elements=[TimelineRevisionRow.entry_id, TimelineRevisionRow.version_ts]
        )
    )


async def revisions(session: AsyncSession, entry_id: int) -> list[TimelineRevisionRow]:
    """Earlier (and late-arriving) versions of an entry's text, oldest first."""
    rows = await session.execute(
        select(TimelineRevisionRow)
        .where(TimelineRevisionRow.entry_id == entry_id)
        .order_by(TimelineRevisionRow.written_at, TimelineRevisionRow.id)
    )
    return list(rows.scalars())


async def set_highlight(
    session: AsyncSession,
    *,
    entry_id: int,
    source: str,
    user_id: str | None,
    active: bool,
    changed_at: datetime,
) -> None:
    """Switch one highlight source on or off, unless a later change of it is stored already."""
    stmt = insert_on_conflict(session, TimelineHighlightRow).values(
        entry_id=entry_id, source=source, user_id=user_id, active=active, changed_at=changed_at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[TimelineHighlightRow.entry_id, TimelineHighlightRow.source],
        set_={"active": stmt.excluded.active, "changed_at": stmt.excluded.changed_at},
        where=TimelineHighlightRow.changed_at < stmt.excluded.changed_at,
    )
    await session.execute(stmt)


async def refresh_highlighted(session: AsyncSession, entry_id: int) -> bool:
    """Set `highlighted` from the sources; call with the entry locked. Returns the new value."""
    marked = exists().where(
        TimelineHighlightRow.entry_id == entry_id, TimelineHighlightRow.active.is_(True)
    )
    result = await session.execute(
        update(TimelineEntryRow)
        .where(TimelineEntryRow.id == entry_id)
        .values(highlighted=marked)
        .returning(TimelineEntryRow.highlighted)
    )
    return bool(result.scalar_one())


async def highlights(session: AsyncSession, entry_id: int) -> list[TimelineHighlightRow]:
    rows = await session.execute(
        select(TimelineHighlightRow)
        .where(TimelineHighlightRow.entry_id == entry_id)
        .order_by(TimelineHighlightRow.source)
    )
    return list(rows.scalars())


def _is_key(incident_id: int) -> ColumnElement[bool]:
    return and_(
        TimelineEntryRow.incident_id == incident_id,
        or_(
            TimelineEntryRow.highlighted.is_(True),
            TimelineEntryRow.kind.not_in(CAPTURED_KINDS),
        ),
    )


async def key_entries(
    session: AsyncSession,
    incident_id: int,
    *,
    before: tuple[datetime, int] | None,
    limit: int,
) -> Sequence[TimelineEntryRow]:
    """Up to `limit` key entries (highlighted, typed, automatic) before `before`
    (occurred_at, id), newest first."""
    query = select(TimelineEntryRow).where(_is_key(incident_id))
    if before is not None:
        moment, entry_id = before
        query = query.where(
            or_(
                TimelineEntryRow.occurred_at < moment,
                and_(TimelineEntryRow.occurred_at == moment, TimelineEntryRow.id < entry_id),
            )
        )
    rows = await session.execute(
        query.order_by(TimelineEntryRow.occurred_at.desc(), TimelineEntryRow.id.desc()).limit(limit)
    )
    return rows.scalars().all()


async def count_key_entries(session: AsyncSession, incident_id: int) -> int:
    counted = await session.execute(
        select(func.count()).select_from(TimelineEntryRow).where(_is_key(incident_id))
    )
    return int(counted.scalar_one())
