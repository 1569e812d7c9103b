"""Timeline entries: facts appended, never overwritten.

An entry captured from Slack is keyed by (channel, ts). Its `text` is the
newest version seen; every other version (the original before an edit, or an
older edit that arrived late) is a row in `timeline_revisions`. Highlights are
per-source switches in `timeline_highlights`; `highlighted` on the entry is
kept equal to "some source is on" under a lock on the entry row.

`text` is in Slack's format (entities, `<@U…>` mentions) for the kinds in
`SLACK_FORMAT_KINDS` and for any entry whose `data` has `"slack_format": true`;
entries written by services (declared, role_changed, ...) are plain text.

A deleted entry never shows its text: `_item` hands out "" for it whatever
is stored, and `purge_content` removes it (and every revision) from the
database when the policy does not keep deleted text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from warroom.domain.timeline import (
    CAPTURED_KINDS,
    DELETED_BY,
    SLACK_FORMAT_KINDS,
    TimelineItem,
)
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import (
    PostmortemRow,
    TimelineEntryRow,
    TimelineHighlightRow,
    TimelineRevisionRow,
)

__all__ = [
    "add_revision",
    "append",
    "count_key_entries",
    "find_by_ref",
    "first_data",
    "highlights",
    "incident_of",
    "is_highlighted",
    "key_entries",
    "lock_by_ref",
    "postmortem_drafted",
    "purge_content",
    "refresh_highlighted",
    "revisions",
    "set_highlight",
    "without_content",
]


_ENTRIES = cast(Table, TimelineEntryRow.__table__)
_APPEND = insert(_ENTRIES).returning(*_ENTRIES.c)
"""Built once: every message in a war room runs it."""
_CONTENT_KEYS = frozenset({"files"})
"""What in `data` comes from the message's content, and goes with its text."""


def _item(row: TimelineEntryRow | Row[Any]) -> TimelineItem:
    """The entry as shown: a deleted one without its text or files, even if kept."""
    deleted = row.deleted_at is not None
    data = without_content(row.data or {}) if deleted else (row.data or {})
    return TimelineItem(
        id=row.id,
        kind=row.kind,
        author_id=row.author_id,
        text="" if deleted else row.text,
        slack_format=row.kind in SLACK_FORMAT_KINDS or bool(data.get("slack_format")),
        occurred_at=row.occurred_at,
        highlighted=row.highlighted,
        edited_at=row.edited_at,
        deleted_at=row.deleted_at,
        files=tuple(str(name) for name in data.get("files") or ()),
        deleted_by=data.get(DELETED_BY) if deleted else None,
    )


def without_content(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in _CONTENT_KEYS}


async def postmortem_drafted(session: AsyncSession, incident_id: int) -> bool:
    """Whether a postmortem draft (which quotes key entries) is stored for the incident."""
    found = await session.execute(
        select(PostmortemRow.incident_id).where(PostmortemRow.incident_id == incident_id)
    )
    return found.first() is not None


async def purge_content(session: AsyncSession, row: TimelineEntryRow) -> None:
    """Forget what a deleted message said: its text, file names and every revision.
    Call with the entry locked."""
    if row.text:
        row.text = ""
    data = row.data or {}
    if any(key in data for key in _CONTENT_KEYS):
        row.data = without_content(data)
    await session.execute(delete(TimelineRevisionRow).where(TimelineRevisionRow.entry_id == row.id))


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
) -> TimelineItem:
    """One entry, as stored: an INSERT … RETURNING, not a flushed ORM row (the flush's
    unit of work cost more than the statement, on every message in a war room)."""
    values = {
        "incident_id": incident_id,
        "kind": kind,
        "author_id": author_id,
        "text": text,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "data": data or {},
    }
    row = (await session.execute(_APPEND, values)).one()
    return _item(row)


async def first_data(session: AsyncSession, incident_id: int, kind: str) -> dict[str, Any]:
    """The `data` of the incident's first entry of `kind` (empty if it has none)."""
    found = await session.execute(
        select(TimelineEntryRow.data)
        .where(TimelineEntryRow.incident_id == incident_id, TimelineEntryRow.kind == kind)
        .order_by(TimelineEntryRow.id)
        .limit(1)
    )
    return dict(found.scalar_one_or_none() or {})


async def reminder_logged(session: AsyncSession, incident_id: int, job_id: int) -> bool:
    """Whether the reminder sent by job `job_id` is on the incident's timeline."""
    rows = await session.execute(
        select(TimelineEntryRow.data).where(
            TimelineEntryRow.incident_id == incident_id, TimelineEntryRow.kind == "reminder"
        )
    )
    return any((data or {}).get("job_id") == job_id for data in rows.scalars())


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


async def incident_of(session: AsyncSession, channel_id: str, ts: str) -> int | None:
    """The incident whose timeline has Slack message (channel_id, ts), if any."""
    found = await session.execute(select(TimelineEntryRow.incident_id).where(_ref(channel_id, ts)))
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


async def is_highlighted(session: AsyncSession, entry_id: int) -> bool:
    found = await session.scalar(
        select(TimelineEntryRow.highlighted).where(TimelineEntryRow.id == entry_id)
    )
    return bool(found)


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
) -> list[TimelineItem]:
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
    return [_item(row) for row in rows.scalars()]


async def count_key_entries(session: AsyncSession, incident_id: int) -> int:
    counted = await session.execute(
        select(func.count()).select_from(TimelineEntryRow).where(_is_key(incident_id))
    )
    return int(counted.scalar_one())
