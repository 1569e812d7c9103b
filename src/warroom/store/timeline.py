"""Timeline entries: facts appended, never overwritten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.models import TimelineEntryRow

__all__ = ["append"]


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
