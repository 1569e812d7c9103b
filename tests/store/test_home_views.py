"""Home tabs in the store, on both databases: who opened one (once per person), which
recent Homes an incident's change marks stale and taking them, the owner's open items
across the workspace, and at most one `refresh_homes` job waiting however many
changes plan one (while one taken up lets the next wait)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident
from warroom.services.home import REFRESH_HOMES
from warroom.store import action_items, home_views, incidents, jobs
from warroom.store.engine import Store, create_engine

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=14)


async def declare(store: Store, team: str = "T1", title: str = "Checkout down") -> Incident:
    declaration = Declaration(
        title=title, severity="SEV2", impact="Some", started_at=None, private=False, responders=()
    )
    async with store.transaction() as session:
        return await incidents.insert_incident(
            session,
            team_id=team,
            reporter_id="UA",
            declaration=declaration,
            declare_key=None,
            status="investigating",
            now=T0,
        )


async def opened(store: Store, user: str, at: datetime, team: str = "T1") -> None:
    async with store.transaction() as session:
        await home_views.opened(session, team_id=team, user_id=user, now=at)


async def take(store: Store, now: datetime = T0) -> list[str]:
    async with store.transaction() as session:
        viewers = await home_views.take_stale(session, since=now - WINDOW, limit=100)
    return sorted(viewer.user_id for viewer in viewers)


async def test_an_incident_marks_its_workspaces_recent_homes_stale(store: Store) -> None:
    incident = await declare(store)
    await opened(store, "UOLD", T0 - timedelta(days=20))
    await opened(store, "UNEW", T0 - timedelta(days=20))
    await opened(store, "UNEW", T0 - timedelta(days=1))  # opened again: remembered once
    await opened(store, "UELSEWHERE", T0, team="T2")

    async with store.transaction() as session:
        marked = await home_views.mark_team_stale(session, incident.id, since=T0 - WINDOW)
    assert marked == 1
    assert await take(store) == ["UNEW"]
    assert await take(store) == [], "taken: no longer stale"

    async with store.transaction() as session:
        assert await home_views.mark_stale(session, ["UOLD", "UNEW"], since=T0 - WINDOW) == 1
        await home_views.published(session, team_id="T1", user_id="UNEW", view_hash="abc")
        (viewer,) = await home_views.take_stale(session, since=T0 - WINDOW, limit=10)
    assert (viewer.user_id, viewer.view_hash) == ("UNEW", "abc")


async def test_an_owners_open_items_across_the_workspace(store: Store) -> None:
    first, second = await declare(store, title="one"), await declare(store, title="two")
    elsewhere = await declare(store, team="T2", title="three")
    async with store.transaction() as session:
        for incident, due in ((second, None), (first, date(2026, 12, 9)), (elsewhere, None)):
            await action_items.add(
                session,
                incident_id=incident.id,
                text=f"item of {incident.title}",
                owner_id="UOWNER",
                due_on=due,
                created_by="UA",
                now=T0,
            )
        done = await action_items.add(
            session,
            incident_id=first.id,
            text="done already",
            owner_id="UOWNER",
            due_on=date(2026, 12, 4),
            created_by="UA",
            now=T0,
        )
        await action_items.close(session, done.id, state="done", by="UOWNER", at=T0)
    async with store.read() as session:
        owned = await home_views.owned_open_items(session, "T1", "UOWNER", limit=10)
    assert [(incident.title, item.text) for incident, item in owned] == [
        ("one", "item of one"),
        ("two", "item of two"),
    ]


async def plan(store: Store) -> bool:
    async with store.transaction() as session:
        return await jobs.plan_once(session, REFRESH_HOMES, due_at=T0, now=T0)


async def test_one_refresh_waits_and_one_taken_up_lets_the_next_wait(
    database_url: str, store: Store
) -> None:
    replicas = [Store(create_engine(database_url)) for _ in range(3)]
    try:
        planned = await asyncio.gather(*(plan(r) for r in replicas for _ in range(3)))
    finally:
        for replica in replicas:
            await replica.dispose()
    assert planned.count(True) == 1

    async with store.transaction() as session:
        (job,) = await jobs.claim(session, now=T0, lease=timedelta(minutes=1), limit=10)
    assert job.kind == REFRESH_HOMES
    assert await plan(store), "a change while the refresh runs plans the next one"
    assert not await plan(store)


async def test_slacks_retry_of_an_opening_is_told_apart(store: Store) -> None:
    async with store.transaction() as session:
        first = await home_views.opened(session, team_id="T1", user_id="UA", now=T0, event="1.1")
        retry = await home_views.opened(session, team_id="T1", user_id="UA", now=T0, event="1.1")
        later = await home_views.opened(session, team_id="T1", user_id="UA", now=T0, event="2.2")
        unnamed = await home_views.opened(session, team_id="T1", user_id="UA", now=T0)
    assert (first, retry, later, unnamed) == (True, False, True, True)
