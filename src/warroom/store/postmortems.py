"""The latest postmortem draft of each incident, and where it was posted in Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.models import PostmortemRow

__all__ = ["StoredDraft", "attached", "load", "posted", "save"]


@dataclass(frozen=True)
class StoredDraft:
    incident_id: int
    markdown: str
    drafted_at: datetime
    message_ts: str | None
    """The summary message in the war room, once posted."""
    file_id: str | None
    """The Markdown file under it, once attached."""


async def load(session: AsyncSession, incident_id: int) -> StoredDraft | None:
    row = await session.get(PostmortemRow, incident_id)
    if row is None:
        return None
    return StoredDraft(row.incident_id, row.markdown, row.drafted_at, row.message_ts, row.file_id)


async def save(session: AsyncSession, incident_id: int, markdown: str, at: datetime) -> bool:
    """Keep this draft in place of any earlier one; True when it replaced one."""
    row = await session.get(PostmortemRow, incident_id)
    if row is None:
        session.add(PostmortemRow(incident_id=incident_id, markdown=markdown, drafted_at=at))
        return False
    row.markdown, row.drafted_at = markdown, at
    return True


async def posted(session: AsyncSession, incident_id: int, message_ts: str) -> None:
    """The summary is up (its file is not yet)."""
    await _set(session, incident_id, message_ts=message_ts, file_id=None)


async def attached(session: AsyncSession, incident_id: int, file_id: str) -> None:
    await _set(session, incident_id, file_id=file_id)


async def _set(session: AsyncSession, incident_id: int, **values: str | None) -> None:
    await session.execute(
        update(PostmortemRow).where(PostmortemRow.incident_id == incident_id).values(**values)
    )
