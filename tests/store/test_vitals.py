"""What `/metrics` reads at scrape time, on SQLite and PostgreSQL alike: open incidents
per severity, and the due jobs nobody has claimed with when the oldest fell due."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from tests.store.test_incidents import DECLARATION
from warroom.domain.clock import ManualClock
from warroom.policy_file import load_policy
from warroom.services.vitals import Vitals
from warroom.store import incidents, jobs
from warroom.store.engine import Store

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


async def declare(
    store: Store, key: str, severity: str, *, team: str = "T1", **facts: object
) -> int:
    declaration = dataclasses.replace(
        DECLARATION, severity=severity, private=bool(facts.pop("private", False))
    )
    async with store.transaction() as session:
        incident = await incidents.insert_incident(
            session,
            team_id=team,
            reporter_id="UR",
            declaration=declaration,
            declare_key=key,
            status="investigating",
            now=NOW,
        )
        if facts:
            await incidents.record(session, incident.id, **facts)
        return incident.id


async def test_open_incidents_are_counted_per_severity_private_ones_too(store: Store) -> None:
    async with store.read() as session:
        assert await incidents.open_by_severity(session) == {}
    await declare(store, "a", "SEV1")
    await declare(store, "b", "SEV1", private=True)
    await declare(store, "c", "SEV1", team="T2")
    await declare(store, "d", "SEV2")
    await declare(store, "e", "SEV2", resolved_at=NOW, status="resolved")
    await declare(store, "f", "SEV3", resolved_at=NOW, closed_at=NOW, status="closed")
    await declare(store, "g", "SEV4", resolved_at=NOW, cancelled_at=NOW, status="cancelled")

    async with store.read() as session:
        assert await incidents.open_by_severity(session) == {"SEV1": 3, "SEV2": 1}


async def test_the_backlog_is_what_is_due_and_unclaimed(store: Store) -> None:
    incident_id = await declare(store, "a", "SEV1")
    async with store.read() as session:
        assert await jobs.due_backlog(session, now=NOW) == (0, None)

    async with store.transaction() as session:
        for minutes in (-30, -10, -1, 0, 5):
            await jobs.put(
                session,
                f"k{minutes}",
                incident_id=incident_id,
                due_at=NOW + timedelta(minutes=minutes),
                now=NOW,
            )
        await jobs.put(session, "recurring", incident_id=None, due_at=NOW, now=NOW)
    async with store.read() as session:
        assert await jobs.due_backlog(session, now=NOW) == (5, NOW - timedelta(minutes=30))

    async with store.transaction() as session:  # the oldest two are taken (and leased)
        first, second = await jobs.claim(session, now=NOW, lease=LEASE, limit=2)
        await jobs.complete(session, first.id)
    async with store.read() as session:
        assert await jobs.due_backlog(session, now=NOW) == (3, NOW - timedelta(minutes=1))
        # the one still held falls due again when its lease runs out (not the done one)
        later = NOW + LEASE
        assert await jobs.due_backlog(session, now=later) == (4, NOW - timedelta(minutes=1))

    async with store.transaction() as session:
        await jobs.give_up(session, second.id, "no")
    async with store.read() as session:
        assert await jobs.due_backlog(session, now=later) == (3, NOW - timedelta(minutes=1))


async def test_vitals_name_every_severity_of_the_policy_and_the_lag(store: Store) -> None:
    await declare(store, "a", "SEV2")
    await declare(store, "b", "SEV9")  # a severity the policy has since dropped
    clock = ManualClock(NOW)
    vitals = Vitals(store=store, policy=load_policy(None), clock=clock)

    signs = await vitals.read()
    assert dict(signs.open_incidents) == {"SEV1": 0, "SEV2": 1, "SEV3": 0, "SEV4": 0, "SEV9": 1}
    assert (signs.due_jobs, signs.lag) == (0, timedelta(0))

    async with store.transaction() as session:
        await jobs.put(session, "x", incident_id=None, due_at=NOW, now=NOW)
    clock.advance(seconds=90)
    signs = await vitals.read()
    assert (signs.due_jobs, signs.lag) == (1, timedelta(seconds=90))
