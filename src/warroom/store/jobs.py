"""The due-job list: what the scheduler must do, and when.

Claiming a job moves its `due_at` forward by a lease in the same statement that
selects it (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a
time). Another replica therefore skips it, and if this process dies before
finishing, the job simply falls due again when the lease runs out. One indexed
range query (`state`, `due_at`) finds both new work and abandoned work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.models import DueJobRow

__all__ = [
    "Job",
    "cancel",
    "claim",
    "complete",
    "give_up",
    "pending",
    "put",
    "retry_at",
    "started_kinds",
]

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    incident_id: int | None
    due_at: datetime
    attempts: int
    payload: dict[str, Any]


def _job(row: DueJobRow) -> Job:
    return Job(row.id, row.kind, row.incident_id, row.due_at, row.attempts, dict(row.payload))


async def put(
    session: AsyncSession,
    kind: str,
    *,
    incident_id: int | None,
    due_at: datetime,
    now: datetime,
    payload: dict[str, Any] | None = None,
    replace: bool = True,
) -> None:
    """Schedule `kind` for the incident, replacing a pending one of the same kind
    (with `replace=False`, alongside it: one job per action item, say)."""
    if replace:
        await cancel(session, incident_id, [kind])
    session.add(
        DueJobRow(
            kind=kind,
            incident_id=incident_id,
            due_at=due_at,
            state=PENDING,
            attempts=0,
            payload=payload or {},
            created_at=now,
        )
    )
    await session.flush()


async def cancel(session: AsyncSession, incident_id: int | None, kinds: Iterable[str]) -> None:
    await session.execute(
        delete(DueJobRow).where(
            DueJobRow.incident_id == incident_id,
            DueJobRow.kind.in_(list(kinds)),
            DueJobRow.state == PENDING,
        )
    )


async def pending(session: AsyncSession, incident_id: int) -> list[Job]:
    rows = await session.execute(
        select(DueJobRow)
        .where(DueJobRow.incident_id == incident_id, DueJobRow.state == PENDING)
        .order_by(DueJobRow.due_at)
    )
    return [_job(row) for row in rows.scalars()]


async def started_kinds(session: AsyncSession, incident_id: int, kinds: Iterable[str]) -> set[str]:
    """Which of `kinds` the scheduler has taken up for the incident: finished, given up,
    or claimed (running now, or waiting to retry)."""
    rows = await session.execute(
        select(DueJobRow.kind).where(
            DueJobRow.incident_id == incident_id,
            DueJobRow.kind.in_(list(kinds)),
            or_(DueJobRow.state != PENDING, DueJobRow.attempts > 0),
        )
    )
    return set(rows.scalars())


async def claim(session: AsyncSession, *, now: datetime, lease: timedelta, limit: int) -> list[Job]:
    """Take up to `limit` due jobs, oldest first, leasing them until `now + lease`."""
    due = (
        select(DueJobRow.id)
        .where(DueJobRow.state == PENDING, DueJobRow.due_at <= now)
        .order_by(DueJobRow.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.execute(
        update(DueJobRow)
        .where(DueJobRow.id.in_(due.scalar_subquery()))
        .values(due_at=now + lease, attempts=DueJobRow.attempts + 1)
        .returning(DueJobRow)
        .execution_options(synchronize_session=False)
    )
    return sorted((_job(row) for row in claimed.scalars()), key=lambda job: job.id)


async def complete(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(DueJobRow).where(DueJobRow.id == job_id).values(state=DONE, last_error=None)
    )


async def retry_at(session: AsyncSession, job_id: int, due_at: datetime, error: str) -> None:
    await session.execute(
        update(DueJobRow).where(DueJobRow.id == job_id).values(due_at=due_at, last_error=error)
    )


async def give_up(session: AsyncSession, job_id: int, error: str) -> None:
    await session.execute(
        update(DueJobRow).where(DueJobRow.id == job_id).values(state=FAILED, last_error=error)
    )
