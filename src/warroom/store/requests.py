"""Slack deliveries being handled or already handled, shared by every replica.

A row is a claim: inserted before the delivery runs (`handled_at` empty), then
either marked handled or deleted so the delivery can run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.batch_delete import delete_oldest
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import ProcessedRequestRow

__all__ = ["Claim", "claim", "find", "mark_handled", "prune", "release", "take_over"]


@dataclass(frozen=True)
class Claim:
    received_at: datetime
    handled_at: datetime | None


_REQUESTS = cast(Table, ProcessedRequestRow.__table__)
_MARK_HANDLED = (
    update(_REQUESTS)
    .where(_REQUESTS.c.key.in_(bindparam("keys", expanding=True)))
    .values(handled_at=bindparam("now"))
)


@cache
def _claim_statement(dialect: str) -> Any:
    """Built once per database: every command and interaction runs it, and building
    and keying a fresh ORM statement cost more than running it."""
    return (
        insert_on_conflict(dialect, _REQUESTS)
        .on_conflict_do_nothing(index_elements=[_REQUESTS.c.key])
        .returning(_REQUESTS.c.key)
    )


async def claim(session: AsyncSession, key: str, *, team_id: str | None, now: datetime) -> bool:
    """Start handling `key`; False if someone else has (or had) it."""
    stmt = _claim_statement(session.get_bind().dialect.name)
    values = {"key": key, "team_id": team_id, "received_at": now, "handled_at": None}
    result = await session.execute(stmt, values)
    return result.first() is not None


async def find(session: AsyncSession, key: str) -> Claim | None:
    row = (
        await session.execute(
            select(ProcessedRequestRow.received_at, ProcessedRequestRow.handled_at).where(
                ProcessedRequestRow.key == key
            )
        )
    ).first()
    return Claim(received_at=row[0], handled_at=row[1]) if row is not None else None


async def take_over(session: AsyncSession, key: str, *, seen: Claim, now: datetime) -> bool:
    """Take an abandoned claim, unless another taker got there first."""
    result = await session.execute(
        update(ProcessedRequestRow)
        .where(
            ProcessedRequestRow.key == key,
            ProcessedRequestRow.received_at == seen.received_at,
            ProcessedRequestRow.handled_at.is_(None),
        )
        .values(received_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def mark_handled(session: AsyncSession, keys: Sequence[str], *, now: datetime) -> None:
    await session.execute(_MARK_HANDLED, {"keys": list(keys), "now": now})


async def release(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ProcessedRequestRow).where(ProcessedRequestRow.key == key))


async def prune(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Forget up to `limit` deliveries received before `before` (long past Slack's
    retries); how many went. Unhandled ones that old were abandoned."""
    return await delete_oldest(
        session,
        ProcessedRequestRow.key,
        ProcessedRequestRow.received_at,
        ProcessedRequestRow.received_at < before,
        limit=limit,
    )
