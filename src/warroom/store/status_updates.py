"""Posted status updates: the four answers, and where each audience was shown them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.status_update import StatusUpdate
from warroom.store.models import StatusUpdateRow

__all__ = ["Audience", "add", "shown"]

Audience = Literal["room", "thread", "stakeholder"]
_COLUMN = {
    "room": StatusUpdateRow.room_ts,
    "thread": StatusUpdateRow.thread_ts,
    "stakeholder": StatusUpdateRow.stakeholder_ts,
}


async def add(
    session: AsyncSession,
    incident_id: int,
    posted: StatusUpdate,
    *,
    by: str,
    at: datetime,
    due_at: datetime | None,
) -> int:
    """Store the update (posted `at`, against the promise `due_at`); its id."""
    row = StatusUpdateRow(
        incident_id=incident_id,
        author_id=by,
        status=posted.status,
        happening=posted.happening,
        impact=posted.impact,
        doing=posted.doing,
        next_update_at=posted.next_update_at,
        posted_at=at,
        due_at=due_at,
    )
    session.add(row)
    await session.flush()
    return row.id


async def shown(session: AsyncSession, update_id: int, audience: Audience, ts: str) -> None:
    """Where `audience` saw the update: the Slack message's ts."""
    column = _COLUMN[audience]
    await session.execute(
        update(StatusUpdateRow).where(StatusUpdateRow.id == update_id).values({column: ts})
    )
