"""Whole incidents as plain records, for `warroom export`: every column, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.models import (
    ActionItemRow,
    IncidentRow,
    PostmortemRow,
    RoleAssignmentRow,
    StatusUpdateRow,
    TimelineEntryRow,
)

__all__ = ["Numbered", "incident_records", "numbered"]

_INTERNAL = ("provisioning_until", "declare_key")


@dataclass(frozen=True)
class Numbered:
    incident_id: int
    team_id: str


async def numbered(session: AsyncSession, number: int, team: str | None) -> list[Numbered]:
    """Every incident with this number (one per workspace), or only `team`'s."""
    query = select(IncidentRow.id, IncidentRow.team_id).where(IncidentRow.number == number)
    if team:
        query = query.where(IncidentRow.team_id == team)
    return [Numbered(row.id, row.team_id) for row in await session.execute(query)]


async def incident_records(
    session: AsyncSession, incident_id: int, zone: tzinfo = UTC
) -> dict[str, Any]:
    """The incident and what hangs off it: `incident`, `timeline`, `roles`,
    `status_updates`, `action_items` (oldest first) and the stored `postmortem` or None.
    Times are ISO 8601 in `zone`, with its offset."""

    def _record(row: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        return {
            column.key: _plain(getattr(row, column.key), zone)
            for column in row.__table__.columns
            if column.key not in skip
        }

    async def rows(model: Any, order: Any) -> list[dict[str, Any]]:
        result = await session.execute(
            select(model).where(model.incident_id == incident_id).order_by(order)
        )
        return [_record(row) for row in result.scalars()]

    incident = await session.get_one(IncidentRow, incident_id)
    stored = await session.get(PostmortemRow, incident_id)
    return {
        "incident": _record(incident, skip=_INTERNAL),
        "timeline": await rows(TimelineEntryRow, TimelineEntryRow.occurred_at),
        "roles": await rows(RoleAssignmentRow, RoleAssignmentRow.assigned_at),
        "status_updates": await rows(StatusUpdateRow, StatusUpdateRow.posted_at),
        "action_items": await rows(ActionItemRow, ActionItemRow.id),
        "postmortem": _record(stored) if stored else None,
    }


def _plain(value: Any, zone: tzinfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    return value.isoformat() if isinstance(value, date) else value
