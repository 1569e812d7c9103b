"""Who has a Home tab worth keeping fresh, which Homes are stale, and the action items
a person owns across the workspace (what their Home lists).

A Home is refreshed only for people who opened it since `since` (the service's
window, e.g. 14 days); everyone else's is published afresh when they next open it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, case, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.action_item import OPEN, ActionItem
from warroom.domain.incident import Incident
from warroom.store import action_items, incidents
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import ActionItemRow, HomeViewRow, IncidentRow

__all__ = [
    "Viewer",
    "mark_stale",
    "mark_team_stale",
    "opened",
    "owned_open_items",
    "published",
    "take_stale",
]

_HOMES = cast(Table, HomeViewRow.__table__)


@dataclass(frozen=True)
class Viewer:
    """Someone whose Home to publish, and a digest of what they were shown last."""

    team_id: str
    user_id: str
    view_hash: str | None


async def opened(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    event: str | None = None,
) -> bool:
    """`user_id` opened their Home tab `now` (Slack's `event`, its event_ts): remembered,
    once per person. False when this `event` was remembered already (Slack retried it)."""
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "opened_at": now,
        "opened_event": event,
        "stale": False,
        "view_hash": None,
    }
    statement = insert_on_conflict(session, _HOMES).values(values)
    upsert = statement.on_conflict_do_update(
        index_elements=[_HOMES.c.team_id, _HOMES.c.user_id],
        set_={"opened_at": statement.excluded.opened_at, "opened_event": event},
        where=_HOMES.c.opened_event.is_distinct_from(event) if event is not None else None,
    )
    found = await session.execute(upsert.returning(_HOMES.c.user_id))
    return found.first() is not None


_MARK_TEAM = (
    update(_HOMES)
    .where(
        _HOMES.c.team_id
        == select(IncidentRow.team_id)
        .where(IncidentRow.id == bindparam("incident_id"))
        .scalar_subquery(),
        _HOMES.c.opened_at >= bindparam("since"),
    )
    .values(stale=True)
)
"""Built once: every change to an incident runs it (most find no Home to mark)."""
_MARK_PEOPLE = (
    update(_HOMES)
    .where(
        _HOMES.c.user_id.in_(bindparam("users", expanding=True)),
        _HOMES.c.opened_at >= bindparam("since"),
    )
    .values(stale=True)
)


async def mark_team_stale(session: AsyncSession, incident_id: int, *, since: datetime) -> int:
    """Every recent Home in the incident's workspace is stale; how many were marked."""
    result = await session.execute(_MARK_TEAM, {"incident_id": incident_id, "since": since})
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_stale(session: AsyncSession, user_ids: Iterable[str], *, since: datetime) -> int:
    """These people's recent Homes are stale; how many were marked."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return 0
    result = await session.execute(_MARK_PEOPLE, {"users": wanted, "since": since})
    return int(getattr(result, "rowcount", 0) or 0)


async def take_stale(session: AsyncSession, *, since: datetime, limit: int) -> list[Viewer]:
    """Up to `limit` stale recent Homes, no longer marked stale: the caller publishes them
    (and marks again any it could not). A change after this is marked anew."""
    rows = (
        await session.execute(
            select(_HOMES.c.team_id, _HOMES.c.user_id, _HOMES.c.view_hash)
            .where(_HOMES.c.stale.is_(True), _HOMES.c.opened_at >= since)
            .order_by(_HOMES.c.opened_at.desc())
            .limit(limit)
        )
    ).all()
    viewers = [Viewer(row.team_id, row.user_id, row.view_hash) for row in rows]
    if viewers:
        taken = [(viewer.team_id, viewer.user_id) for viewer in viewers]
        await session.execute(
            update(_HOMES)
            .where(tuple_(_HOMES.c.team_id, _HOMES.c.user_id).in_(taken))
            .values(stale=False)
        )
    return viewers


async def published(session: AsyncSession, *, team_id: str, user_id: str, view_hash: str) -> None:
    """What `user_id`'s Home shows now (a digest), so the same view is not sent again."""
    await session.execute(
        update(_HOMES)
        .where(_HOMES.c.team_id == team_id, _HOMES.c.user_id == user_id)
        .values(view_hash=view_hash)
    )


async def owned_open_items(
    session: AsyncSession, team_id: str, owner_id: str, *, limit: int
) -> list[tuple[Incident, ActionItem]]:
    """Up to `limit` open action items `owner_id` owns in the workspace, soonest due first
    (undated last), each with its incident. Private incidents included."""
    rows = await session.execute(
        select(ActionItemRow)
        .join(IncidentRow, IncidentRow.id == ActionItemRow.incident_id)
        .where(
            IncidentRow.team_id == team_id,
            ActionItemRow.owner_id == owner_id,
            ActionItemRow.state == OPEN,
        )
        .order_by(
            case((ActionItemRow.due_on.is_(None), 1), else_=0),
            ActionItemRow.due_on,
            ActionItemRow.id,
        )
        .limit(limit)
    )
    items = [action_items.to_domain(row) for row in rows.scalars()]
    loaded: dict[int, Incident] = {}
    for item in items:
        if item.incident_id not in loaded:
            loaded[item.incident_id] = await incidents.load(session, item.incident_id)
    return [(loaded[item.incident_id], item) for item in items]
