"""Timeline entries captured from Slack messages, written by group commit.

A message is keyed by (channel, ts): inserting one that has an entry already
does nothing, so a repeated or retried event never doubles an entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.dialect import insert_on_conflict
from warroom.store.engine import Store
from warroom.store.group_commit import GroupCommit
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


class CapturedWriter(GroupCommit[NewCaptured, int | None]):
    """Group commit for new captured entries: a burst of messages in war rooms is a few
    transactions. `insert` returns the new entry's id, or None if the message has an
    entry already."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, insert_captured)

    async def insert(self, entry: NewCaptured) -> int | None:
        return await self.submit(entry)
