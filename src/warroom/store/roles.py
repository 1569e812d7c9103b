"""Role assignments: a new row per holder, the previous one ended, never overwritten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.store.models import RoleAssignmentRow

__all__ = ["current_holder", "hand_to"]


async def current_holder(session: AsyncSession, incident_id: int, role: str) -> str | None:
    found = await session.execute(
        select(RoleAssignmentRow.user_id).where(
            RoleAssignmentRow.incident_id == incident_id,
            RoleAssignmentRow.role == role,
            RoleAssignmentRow.ended_at.is_(None),
        )
    )
    return found.scalar_one_or_none()


async def hand_to(
    session: AsyncSession, incident_id: int, role: str, *, user_id: str, by: str, now: datetime
) -> None:
    """End the current holding (if any) and start `user_id`'s, in the caller's transaction."""
    await session.execute(
        update(RoleAssignmentRow)
        .where(
            RoleAssignmentRow.incident_id == incident_id,
            RoleAssignmentRow.role == role,
            RoleAssignmentRow.ended_at.is_(None),
        )
        .values(ended_at=now)
    )
    session.add(
        RoleAssignmentRow(
            incident_id=incident_id, role=role, user_id=user_id, assigned_by=by, assigned_at=now
        )
    )
    await session.flush()
