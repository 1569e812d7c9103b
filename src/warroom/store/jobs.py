"""The due-job list: what the scheduler must do, and when.

Claiming a job moves its `due_at` forward by a lease in the same statement that
selects it (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a
time). Another replica therefore skips it, and if this process dies before
finishing, the job simply falls due again when the lease runs out. One indexed
range query (`state`, `due_at`) finds both new work and abandoned work.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeAlias, cast

from sqlalchemy import Row, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.batch_delete import delete_oldest
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import DueJobRow

__all__ = [
    "Job",
    "Planned",
    "add_many",
    "cancel",
    "claim",
    "claim_one",
    "complete",
    "due_backlog",
    "give_up",
    "is_pending",
    "pending",
    "pending_of_kind",
    "plan_once",
    "plan_unique",
    "plan_unique_many",
    "prune_finished",
    "put",
    "retry_at",
    "started_kinds",
]

PENDING, DONE, FAILED = "pending", "done", "failed"
_JOBS = cast(Table, DueJobRow.__table__)
_ADD = insert(_JOBS)
FINISHED = (DONE, FAILED)  # a cancelled job is deleted, not kept
Planned: TypeAlias = tuple[str, datetime, dict[str, Any]]
"""A job to add: its kind, when it is due, its payload."""


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    incident_id: int | None
    due_at: datetime
    attempts: int
    payload: dict[str, Any]


def _job(row: DueJobRow | Row[Any]) -> Job:
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
) -> int:
    """Schedule `kind` for the incident, replacing a pending one of the same kind
    (with `replace=False`, alongside it: one job per action item, say); the job's id."""
    if replace:
        await cancel(session, incident_id, [kind])
    row = DueJobRow(
        kind=kind,
        incident_id=incident_id,
        due_at=due_at,
        state=PENDING,
        attempts=0,
        payload=payload or {},
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row.id


async def add_many(
    session: AsyncSession,
    incident_id: int | None,
    planned: Sequence[Planned],
    *,
    now: datetime,
) -> None:
    """Schedule (kind, due_at, payload) jobs for the incident in one statement, beside
    whatever is pending (`cancel` first to replace): a plan of reminders is one INSERT
    instead of a DELETE and a flushed INSERT per step."""
    if not planned:
        return
    await session.execute(
        _ADD,
        [
            {
                "kind": kind,
                "incident_id": incident_id,
                "due_at": due_at,
                "state": PENDING,
                "attempts": 0,
                "payload": payload,
                "created_at": now,
            }
            for kind, due_at, payload in planned
        ],
    )


async def cancel(session: AsyncSession, incident_id: int | None, kinds: Iterable[str]) -> None:
    """Drop the incident's pending jobs of these kinds: a Core DELETE (no job object is
    changed after it is added, so the ORM has nothing to bring up to date; its
    bulk-delete path was a sixth of planning's CPU)."""
    await session.execute(
        delete(_JOBS).where(
            _JOBS.c.incident_id == incident_id,
            _JOBS.c.kind.in_(list(kinds)),
            _JOBS.c.state == PENDING,
        )
    )


async def pending(session: AsyncSession, incident_id: int) -> list[Job]:
    rows = await session.execute(
        select(DueJobRow)
        .where(DueJobRow.incident_id == incident_id, DueJobRow.state == PENDING)
        .order_by(DueJobRow.due_at)
    )
    return [_job(row) for row in rows.scalars()]


async def is_pending(session: AsyncSession, job_id: int) -> bool:
    """Whether the job still waits or runs: not finished, given up, or cancelled."""
    found = await session.scalar(
        select(DueJobRow.id).where(DueJobRow.id == job_id, DueJobRow.state == PENDING)
    )
    return found is not None


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


@cache
def _claim_statement(limit: int) -> Any:
    """Built once: every replica runs it every tick, mostly to find nothing due."""
    due = (
        select(_JOBS.c.id)
        .where(_JOBS.c.state == PENDING, _JOBS.c.due_at <= bindparam("now"))
        .order_by(_JOBS.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (
        update(_JOBS)
        .where(_JOBS.c.id.in_(due.scalar_subquery()))
        .values(due_at=bindparam("until"), attempts=_JOBS.c.attempts + 1)
        .returning(*_JOBS.c)
    )


async def claim(session: AsyncSession, *, now: datetime, lease: timedelta, limit: int) -> list[Job]:
    """Take up to `limit` due jobs, oldest first, leasing them until `now + lease`."""
    claimed = await session.execute(_claim_statement(limit), {"now": now, "until": now + lease})
    return sorted((_job(row) for row in claimed), key=lambda job: job.id)


async def claim_one(
    session: AsyncSession, job_id: int, *, now: datetime, lease: timedelta
) -> Job | None:
    """Take this job if it is due and nobody holds it, as `claim` would; None otherwise
    (a tick or another replica took it first, it waits for a retry, or it is gone)."""
    claimed = await session.execute(
        update(DueJobRow)
        .where(DueJobRow.id == job_id, DueJobRow.state == PENDING, DueJobRow.due_at <= now)
        .values(due_at=now + lease, attempts=DueJobRow.attempts + 1)
        .returning(DueJobRow)
        .execution_options(synchronize_session=False)
    )
    row = claimed.scalar_one_or_none()
    return None if row is None else _job(row)


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


async def plan_once(session: AsyncSession, kind: str, *, due_at: datetime, now: datetime) -> bool:
    """Schedule `kind` (no incident) unless one is pending already; False if it was.

    Only for kinds the `uq_due_jobs_one_pending_*` index covers: it, not a read
    before the write, makes two replicas planning at the same moment leave one.
    """
    values: dict[str, Any] = {
        "kind": kind,
        "incident_id": None,
        "due_at": due_at,
        "state": PENDING,
        "attempts": 0,
        "payload": {},
        "created_at": now,
    }
    stmt = insert_on_conflict(session, DueJobRow.__table__).values(values).on_conflict_do_nothing()
    result = await session.execute(stmt.returning(DueJobRow.id))
    return result.first() is not None


_PENDING_OF_KIND = (
    select(_JOBS)
    .where(
        _JOBS.c.kind == bindparam("kind"),
        _JOBS.c.incident_id.is_(None),
        _JOBS.c.state == PENDING,
    )
    .order_by(_JOBS.c.due_at, _JOBS.c.id)
)


async def pending_of_kind(session: AsyncSession, kind: str) -> list[Job]:
    """The pending jobs of `kind` that belong to no incident, in due order. A Core read
    of a statement built once: alert storms plan cards through it in every batch."""
    rows = await session.execute(_PENDING_OF_KIND, {"kind": kind})
    return [_job(row) for row in rows]


async def plan_unique(
    session: AsyncSession,
    kind: str,
    *,
    due_at: datetime,
    now: datetime,
    payload: dict[str, Any],
    drop: Iterable[int] = (),
) -> bool:
    """Schedule `kind` (no incident) with `payload` unless a pending one carries the same
    payload already; False if one did. Pending jobs of the kind listed in `drop` go first.

    For a kind whose runs are told apart by their payload (the weekly digest: the moment
    it is for). Planners take turns, so two replicas planning at once leave one: on
    PostgreSQL through a transaction-scoped advisory lock on the kind, on SQLite because
    writers take turns already (`BEGIN IMMEDIATE`).
    """
    dropped = list(drop)
    if dropped:
        await session.execute(
            delete(_JOBS).where(
                _JOBS.c.id.in_(dropped), _JOBS.c.kind == kind, _JOBS.c.state == PENDING
            )
        )
    return bool(await plan_unique_many(session, kind, [(payload, due_at)], now=now))


async def plan_unique_many(
    session: AsyncSession,
    kind: str,
    planned: Sequence[tuple[dict[str, Any], datetime]],
    *,
    now: datetime,
) -> int:
    """`plan_unique` for several (payload, due_at) at once: one lock, one read, one
    insert; how many were planned."""
    if not planned:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_lock_key(kind))))
    pending = [job.payload for job in await pending_of_kind(session, kind)]
    fresh: list[Planned] = []
    for payload, due_at in planned:
        if payload not in pending:
            pending.append(payload)
            fresh.append((kind, due_at, payload))
    await add_many(session, None, fresh, now=now)
    return len(fresh)


def _lock_key(kind: str) -> int:
    """A stable advisory-lock number per job kind (a signed 64-bit range)."""
    return 0x5741_0000_0000 + zlib.crc32(f"due_jobs:{kind}".encode())


async def prune_finished(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` done or failed jobs last due before `before`; how many went.

    A finished job's `due_at` is when it last fell due (its lease, once claimed),
    so about when it finished; the (state, due_at) index finds them.
    """
    return await delete_oldest(
        session,
        DueJobRow.id,
        DueJobRow.due_at,
        DueJobRow.state.in_(FINISHED),
        DueJobRow.due_at < before,
        limit=limit,
    )


_DUE_BACKLOG = select(func.count(), func.min(_JOBS.c.due_at)).where(
    _JOBS.c.state == PENDING, _JOBS.c.due_at <= bindparam("now")
)


async def due_backlog(session: AsyncSession, *, now: datetime) -> tuple[int, datetime | None]:
    """The jobs due by `now` that nobody holds (a claimed job's `due_at` is its lease's
    end, so it is not among them), and when the longest-waiting of them fell due: what
    `claim` would find, counted with the same index instead of taken."""
    count, oldest = (await session.execute(_DUE_BACKLOG, {"now": now})).one()
    return int(count), oldest
