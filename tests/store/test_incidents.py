"""Store behaviour that must hold on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from warroom.domain.declaration import Declaration
from warroom.store import incidents, requests, timeline
from warroom.store.engine import Conflict, Store
from warroom.store.models import RoleAssignmentRow, TimelineEntryRow

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DECLARATION = Declaration(
    title="DB down",
    severity="SEV1",
    impact="All",
    started_at=None,
    private=False,
    responders=("UR", "U2"),
)


async def declare(store: Store, key: str, team: str = "T1") -> int:
    async with store.transaction() as session:
        incident = await incidents.insert_incident(
            session,
            team_id=team,
            reporter_id="UR",
            declaration=DECLARATION,
            declare_key=key,
            status="investigating",
            now=NOW,
        )
        return incident.id


async def test_numbers_are_per_team_and_unique_under_concurrency(store: Store) -> None:
    ids = await asyncio.gather(*(declare(store, f"k{n}") for n in range(20)))
    await declare(store, "other", team="T2")
    async with store.transaction() as session:
        numbers = sorted([(await incidents.load(session, i)).number for i in ids])
        assert numbers == list(range(1, 21))
        assert await incidents.next_number(session, "T2") == 2


async def test_round_trip_keeps_aware_utc_and_responders(store: Store) -> None:
    incident_id = await declare(store, "k")
    async with store.transaction() as session:
        loaded = await incidents.load(session, incident_id)
    assert loaded.declared_at == NOW and loaded.declared_at.tzinfo is not None
    assert loaded.invitees == ("U2",)  # the reporter is invited anyway
    assert loaded.reference == "INC-1"


async def test_times_in_other_zones_are_stored_as_utc(store: Store) -> None:
    incident_id = await declare(store, "k")
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    async with store.transaction() as session:
        await incidents.record(session, incident_id, mitigated_at=tokyo)
    async with store.transaction() as session:
        assert (await incidents.load(session, incident_id)).mitigated_at == NOW


async def test_naive_times_are_refused(store: Store) -> None:
    incident_id = await declare(store, "k")
    with pytest.raises(Exception, match="naive datetime"):
        async with store.transaction() as session:
            await incidents.record(session, incident_id, mitigated_at=datetime(2026, 1, 1))


async def test_declare_key_is_unique(store: Store) -> None:
    await declare(store, "view:V1")
    with pytest.raises(Conflict):
        await declare(store, "view:V1")
    async with store.transaction() as session:
        found = await incidents.find_by_declare_key(session, "view:V1")
        assert found is not None and found.number == 1


async def test_provisioning_lease_has_one_holder_until_it_expires(store: Store) -> None:
    incident_id = await declare(store, "k")
    lease = timedelta(minutes=3)

    async def claim(at: datetime) -> incidents.ProvisionClaim | None:
        async with store.transaction() as session:
            return await incidents.claim_provisioning(session, incident_id, at, lease)

    results = await asyncio.gather(*(claim(NOW) for _ in range(6)))
    assert results.count(incidents.ProvisionClaim(resumed=False, until=NOW + lease)) == 1
    assert results.count(None) == 5
    assert await claim(NOW + timedelta(minutes=2)) is None
    later = NOW + timedelta(minutes=4)
    assert await claim(later) == incidents.ProvisionClaim(resumed=True, until=later + lease)
    async with store.transaction() as session:
        await incidents.release_provisioning(session, incident_id, done_at=None, error="boom")
    later = NOW + timedelta(minutes=5)
    assert await claim(later) == incidents.ProvisionClaim(resumed=True, until=later + lease)
    async with store.transaction() as session:
        await incidents.release_provisioning(session, incident_id, done_at=NOW, error=None)
    assert await claim(NOW + timedelta(hours=1)) is None


async def test_a_lease_is_renewed_only_by_its_holder(store: Store) -> None:
    incident_id = await declare(store, "k")
    lease = timedelta(seconds=10)

    async def renew(held: datetime, until: datetime) -> bool:
        async with store.transaction() as session:
            return await incidents.renew_provisioning(session, incident_id, held=held, until=until)

    async with store.transaction() as session:
        claim = await incidents.claim_provisioning(session, incident_id, NOW, lease)
    assert claim is not None
    assert await renew(claim.until, NOW + 2 * lease)
    assert not await renew(claim.until, NOW + 3 * lease), "renewed from a stale lease end"
    taken_at = NOW + 3 * lease
    async with store.transaction() as session:
        assert await incidents.claim_provisioning(session, incident_id, taken_at, lease)
    assert not await renew(NOW + 2 * lease, NOW + 4 * lease), "the lapsed holder renewed"
    async with store.transaction() as session:
        await incidents.release_provisioning(session, incident_id, done_at=NOW, error=None)
    assert not await renew(taken_at + lease, NOW + 5 * lease)


async def test_one_current_holder_per_role(store: Store) -> None:
    incident_id = await declare(store, "k")

    async def hold(user: str, ended: datetime | None = None) -> None:
        async with store.transaction() as session:
            session.add(
                RoleAssignmentRow(
                    incident_id=incident_id,
                    role="commander",
                    user_id=user,
                    assigned_by=user,
                    assigned_at=NOW,
                    ended_at=ended,
                )
            )

    await hold("UA", ended=NOW)
    await hold("UB")
    with pytest.raises(Conflict):
        await hold("UC")
    async with store.transaction() as session:
        assert (await incidents.load(session, incident_id)).holder("commander") == "UB"


async def test_a_delivery_claim_has_one_holder_and_can_be_taken_over(store: Store) -> None:
    key = "command:T1"

    async def claim() -> bool:
        async with store.transaction() as session:
            return await requests.claim(session, key, team_id="T1", now=NOW)

    assert (await asyncio.gather(*(claim() for _ in range(5)))).count(True) == 1
    async with store.transaction() as session:
        seen = await requests.find(session, key)
        assert seen == requests.Claim(received_at=NOW, handled_at=None)
        later = NOW + timedelta(minutes=1)
        assert await requests.take_over(session, key, seen=seen, now=later)
        assert not await requests.take_over(session, key, seen=seen, now=later)
        await requests.mark_handled(session, [key], now=later)
        assert await requests.find(session, key) == requests.Claim(later, later)
        await requests.release(session, key)
        assert await requests.find(session, key) is None


async def test_timeline_entries_keep_their_data(store: Store) -> None:
    incident_id = await declare(store, "k")
    async with store.transaction() as session:
        entry = await timeline.append(
            session,
            incident_id=incident_id,
            kind="declared",
            author_id="UR",
            text="Declared",
            occurred_at=NOW,
            recorded_at=NOW,
            data={"responders": ["U2"], "emoji": "🔥"},
        )
        stored = await session.get_one(TimelineEntryRow, entry.id)
    assert entry.id > 0 and stored.data["emoji"] == "🔥"


async def test_a_read_sees_the_last_commit_without_waiting_for_an_open_write(store: Store) -> None:
    incident_id = await declare(store, "k")
    writing, finish = asyncio.Event(), asyncio.Event()

    async def rename() -> None:
        async with store.transaction() as session:
            await incidents.lock(session, incident_id)
            await incidents.record(session, incident_id, title="DB down in EU")
            writing.set()
            await finish.wait()

    writer = asyncio.create_task(rename())
    await writing.wait()
    async with asyncio.timeout(10), store.read() as session:
        assert (await incidents.load(session, incident_id)).title == "DB down"
    finish.set()
    await writer
    async with store.read() as session:
        assert (await incidents.load(session, incident_id)).title == "DB down in EU"
