"""The weekly digest in the store, on both databases: a digest is planned once for its
moment however many replicas plan it at once; and the digest's reads count the week's
incidents, return only public ones, and count open action items past due."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident
from warroom.store import action_items, digests, incidents, jobs
from warroom.store.engine import Store, create_engine

KIND = "digest"
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def at(moment: datetime) -> dict[str, str]:
    return {"at": moment.isoformat()}


async def pending(store: Store) -> list[dict[str, str]]:
    async with store.read() as session:
        return [job.payload for job in await jobs.pending_of_kind(session, KIND)]


async def plan(store: Store, moment: datetime, *, drop: list[int] | None = None) -> bool:
    async with store.transaction() as session:
        return await jobs.plan_unique(
            session, KIND, due_at=moment, now=T0, payload=at(moment), drop=drop or []
        )


async def test_a_moment_is_planned_once(store: Store) -> None:
    assert await plan(store, MONDAY)
    assert not await plan(store, MONDAY)
    assert await plan(store, MONDAY + timedelta(days=7))
    assert await pending(store) == [at(MONDAY), at(MONDAY + timedelta(days=7))]


async def test_planning_may_drop_listed_jobs_of_the_kind_only(store: Store) -> None:
    async with store.transaction() as session:
        other = await jobs.put(session, "prune", incident_id=None, due_at=T0, now=T0)
    await plan(store, MONDAY)
    async with store.read() as session:
        [old] = await jobs.pending_of_kind(session, KIND)
    friday = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert await plan(store, friday, drop=[old.id, other])
    assert await pending(store) == [at(friday)]
    async with store.read() as session:
        assert await jobs.is_pending(session, other)


async def test_replicas_planning_at_once_leave_one(database_url: str, store: Store) -> None:
    replicas = [Store(create_engine(database_url)) for _ in range(3)]
    try:
        planned = await asyncio.gather(
            *(plan(replica, MONDAY) for replica in replicas for _ in range(4))
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert planned.count(True) == 1
    assert await pending(store) == [at(MONDAY)]


async def _incident(
    store: Store, title: str, severity: str, declared: datetime, *, private: bool = False
) -> Incident:
    declaration = Declaration(
        title=title,
        severity=severity,
        impact="Some",
        started_at=None,
        private=private,
        responders=(),
    )
    async with store.transaction() as session:
        return await incidents.insert_incident(
            session,
            team_id="T1",
            reporter_id="UA",
            declaration=declaration,
            declare_key=None,
            status="investigating",
            now=declared,
        )


async def test_the_week_is_counted_and_only_public_incidents_returned(store: Store) -> None:
    since = MONDAY - timedelta(days=7)
    await _incident(store, "Before the week", "SEV1", since - timedelta(seconds=1))
    first = await _incident(store, "Checkout down", "SEV1", since)
    await _incident(store, "Payroll leak", "SEV1", since + timedelta(days=1), private=True)
    second = await _incident(store, "Search slow", "SEV3", MONDAY - timedelta(seconds=1))
    cancelled = await _incident(store, "False alarm", "SEV2", since + timedelta(days=2))
    await _incident(store, "After the week", "SEV2", MONDAY)
    async with store.transaction() as session:
        await incidents.record(session, cancelled.id, cancelled_at=MONDAY)
    async with store.read() as session:
        counts = await digests.week_counts(session, since=since, until=MONDAY)
        named = await digests.declared_public(session, since=since, until=MONDAY, limit=10)
        capped = await digests.declared_public(session, since=since, until=MONDAY, limit=1)
    assert sorted(counts) == [("SEV1", False, 1), ("SEV1", True, 1), ("SEV3", False, 1)]
    assert [i.id for i in named] == [first.id, second.id]
    assert [i.id for i in capped] == [first.id]


async def test_open_items_past_due_are_counted_per_incident(store: Store) -> None:
    public = await _incident(store, "Checkout down", "SEV1", T0)
    secret = await _incident(store, "Payroll leak", "SEV1", T0, private=True)
    quiet = await _incident(store, "Search slow", "SEV3", T0)
    today = date(2026, 12, 7)
    async with store.transaction() as session:
        for incident, due in (
            (public, date(2026, 12, 1)),
            (public, date(2026, 12, 6)),
            (public, today),  # due today: not past due yet
            (public, None),
            (secret, date(2026, 11, 1)),
            (quiet, date(2026, 12, 1)),
        ):
            item = await action_items.add(
                session,
                incident_id=incident.id,
                text="Do it",
                owner_id=None,
                due_on=due,
                created_by="UA",
                now=T0,
            )
            if incident is quiet:
                await action_items.close(session, item.id, state="done", by="UA", at=T0)
    async with store.read() as session:
        counts = await digests.overdue_counts(session, today=today)
        found = await digests.public_incidents(session, [public.id, secret.id])
    assert counts == [(public.id, False, 2), (secret.id, True, 1)]
    assert list(found) == [public.id]
