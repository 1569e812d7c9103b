"""Slack deliveries already handled (retries carry `X-Slack-Retry-Num`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.dialect import insert_on_conflict
from warroom.store.models import ProcessedRequestRow

__all__ = ["is_processed", "mark_processed"]


async def is_processed(session: AsyncSession, key: str) -> bool:
    found = await session.execute(
        select(ProcessedRequestRow.key).where(ProcessedRequestRow.key == key)
    )
    return found.first() is not None


async def mark_processed(
    session: AsyncSession, key: str, *, team_id: str | None, now: datetime
) -> None:
    stmt = insert_on_conflict(session, ProcessedRequestRow).values(
        key=key, team_id=team_id, received_at=now
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[ProcessedRequestRow.key]))
