"""The timeline store on both databases: group commit, revisions, highlight switches."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from warroom.store import captured, timeline
from warroom.store.engine import Conflict, Store
from warroom.store.models import IncidentRow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def new_incident(store: Store) -> int:
    async with store.transaction() as session:
        row = IncidentRow(
            team_id="T1",
            number=1,
            title="t",
            impact="i",
            severity="SEV2",
            status="investigating",
            private=False,
            reporter_id="U1",
            invitees=[],
            declared_at=NOW,
        )
        session.add(row)
        await session.flush()
        return row.id


def entry(incident_id: int, n: int, channel: str = "CROOM") -> captured.NewCaptured:
    return captured.NewCaptured(
        incident_id=incident_id,
        channel_id=channel,
        ts=f"1795000000.{n:06d}",
        kind="message",
        author_id="U1",
        text=f"line {n}",
        occurred_at=NOW + timedelta(microseconds=n),
        recorded_at=NOW,
    )


async def test_group_commit_inserts_each_once_and_isolates_a_bad_entry(store: Store) -> None:
    incident_id = await new_incident(store)
    writer = captured.CapturedWriter(store)
    batch = [entry(incident_id, n) for n in range(40)]
    batch.append(entry(incident_id, 3))  # a repeat inside the same group
    batch.append(entry(incident_id + 999, 77))  # no such incident: fails alone
    results = await asyncio.gather(*(writer.insert(e) for e in batch), return_exceptions=True)
    ids = results[:40]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 40
    assert results[40] is None
    assert isinstance(results[41], Conflict)
    again = await asyncio.gather(*(writer.insert(e) for e in batch[:5]))
    assert again == [None] * 5
    async with store.transaction() as session:
        assert await timeline.find_by_ref(session, "CROOM", "1795000000.000077") is None


async def test_revisions_and_highlight_switches_are_idempotent(store: Store) -> None:
    incident_id = await new_incident(store)
    async with store.transaction() as session:
        (entry_id,) = await captured.insert_captured(session, [entry(incident_id, 1)])
        assert entry_id is not None
        for _ in range(2):
            await timeline.add_revision(
                session,
                entry_id=entry_id,
                version_ts="1795000000.000001",
                text="v1",
                written_at=NOW,
                recorded_at=NOW,
            )
        later, earlier = NOW + timedelta(seconds=2), NOW + timedelta(seconds=1)

        async def switch(active: bool, at: datetime) -> bool:
            await timeline.set_highlight(
                session, entry_id=entry_id, source="pin", user_id="U2", active=active, changed_at=at
            )
            return await timeline.refresh_highlighted(session, entry_id)

        assert await switch(True, later) is True
        assert await switch(False, earlier) is True  # older than what is stored: ignored
        assert await switch(False, later) is True  # same time: kept
        assert await switch(False, later + timedelta(microseconds=1)) is False
        assert [r.text for r in await timeline.revisions(session, entry_id)] == ["v1"]
