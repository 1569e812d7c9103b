"""What the public status page may show, read in two queries; and each incident's flag."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.status_page import PublicUpdate, StatusPageEntry
from warroom.store import incidents
from warroom.store.models import IncidentRow, StatusUpdateRow

__all__ = ["LIMIT", "entries", "flag", "set_flag"]

LIMIT = 500
"""At most this many incidents, newest first: a page, not an archive."""


async def set_flag(session: AsyncSession, incident_id: int, shown: bool | None) -> None:
    """Shown (True), hidden (False), or as the policy's severities say (None)."""
    await incidents.record(session, incident_id, status_page=shown)


async def flag(session: AsyncSession, incident_id: int) -> bool | None:
    found = await session.execute(
        select(IncidentRow.status_page).where(IncidentRow.id == incident_id)
    )
    return found.scalar_one()


async def entries(
    session: AsyncSession, *, severities: Collection[str], since: datetime
) -> list[StatusPageEntry]:
    """Public, not cancelled incidents, open or resolved at or after `since`, that are
    flagged shown or (unflagged) of one of `severities`; each with its latest update."""
    listed = and_(IncidentRow.status_page.is_(None), IncidentRow.severity.in_(list(severities)))
    rows = (
        await session.execute(
            select(
                IncidentRow.id,
                IncidentRow.number,
                IncidentRow.severity,
                IncidentRow.status,
                IncidentRow.declared_at,
                IncidentRow.started_at,
                IncidentRow.resolved_at,
                IncidentRow.summary,
                IncidentRow.private,
                IncidentRow.status_page,
            )
            .where(
                IncidentRow.private == false(),
                IncidentRow.cancelled_at.is_(None),
                or_(IncidentRow.resolved_at.is_(None), IncidentRow.resolved_at >= since),
                or_(IncidentRow.status_page == true(), listed),
            )
            .order_by(IncidentRow.declared_at.desc(), IncidentRow.id.desc())
            .limit(LIMIT)
        )
    ).all()
    latest = await _latest_updates(session, [row.id for row in rows])
    return [
        StatusPageEntry(
            number=row.number,
            severity=row.severity,
            status=row.status,
            declared_at=row.declared_at,
            started_at=row.started_at,
            resolved_at=row.resolved_at,
            resolution=row.summary if row.resolved_at is not None else None,
            latest=latest.get(row.id),
            private=row.private,
            flag=row.status_page,
        )
        for row in rows
    ]


async def _latest_updates(session: AsyncSession, ids: list[int]) -> dict[int, PublicUpdate]:
    if not ids:
        return {}
    newest = (
        select(StatusUpdateRow.incident_id, StatusUpdateRow.id)
        .where(StatusUpdateRow.incident_id.in_(ids))
        .order_by(StatusUpdateRow.incident_id, StatusUpdateRow.posted_at, StatusUpdateRow.id)
    )
    last: dict[int, int] = {}
    for incident_id, update_id in await session.execute(newest):
        last[incident_id] = update_id
    if not last:
        return {}
    rows = await session.execute(
        select(
            StatusUpdateRow.incident_id,
            StatusUpdateRow.status,
            StatusUpdateRow.happening,
            StatusUpdateRow.impact,
            StatusUpdateRow.posted_at,
            StatusUpdateRow.next_update_at,
        ).where(StatusUpdateRow.id.in_(list(last.values())))
    )
    return {
        row.incident_id: PublicUpdate(
            status=row.status,
            happening=row.happening,
            impact=row.impact,
            posted_at=row.posted_at,
            next_update_at=row.next_update_at,
        )
        for row in rows
    }
