"""Action-item rows in and out, as immutable `ActionItem` snapshots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.action_item import DONE, OPEN, WONT_DO, ActionItem, Counts
from warroom.store.models import ActionItemRow

__all__ = [
    "add",
    "close",
    "counts",
    "load",
    "lock",
    "page",
    "to_domain",
]


def _item(row: ActionItemRow) -> ActionItem:
    return ActionItem(
        id=row.id,
        incident_id=row.incident_id,
        text=row.text,
        owner_id=row.owner_id,
        due_on=row.due_on,
        state=row.state,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
    )


to_domain = _item
"""An `ActionItem` from its row (for reads that join items to other tables)."""


async def add(
    session: AsyncSession,
    *,
    incident_id: int,
    text: str,
    owner_id: str | None,
    due_on: date | None,
    created_by: str,
    now: datetime,
) -> ActionItem:
    row = ActionItemRow(
        incident_id=incident_id,
        text=text,
        owner_id=owner_id,
        due_on=due_on,
        state=OPEN,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _item(row)


async def load(session: AsyncSession, item_id: int) -> ActionItem | None:
    row = await session.get(ActionItemRow, item_id)
    return _item(row) if row is not None else None


async def lock(session: AsyncSession, item_id: int) -> ActionItem | None:
    """The item, locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    found = await session.execute(
        select(ActionItemRow).where(ActionItemRow.id == item_id).with_for_update()
    )
    row = found.scalar_one_or_none()
    return _item(row) if row is not None else None


async def close(
    session: AsyncSession,
    item_id: int,
    *,
    state: str,
    by: str,
    at: datetime,
    reason: str | None = None,
) -> ActionItem:
    """Mark the (locked) item done or won't do."""
    if state not in (DONE, WONT_DO):
        raise ValueError(f"an action item is closed as done or wont_do, not {state!r}")
    row = await session.get(ActionItemRow, item_id)
    if row is None:
        raise LookupError(f"no action item {item_id}")
    row.state, row.closed_by, row.closed_at, row.reason = state, by, at, reason
    await session.flush()
    return _item(row)


async def counts(session: AsyncSession, incident_id: int) -> Counts:
    found = await session.execute(
        select(ActionItemRow.state, func.count())
        .where(ActionItemRow.incident_id == incident_id)
        .group_by(ActionItemRow.state)
    )
    by_state = {str(state): int(n) for state, n in found}
    return Counts(by_state.get(OPEN, 0), by_state.get(DONE, 0), by_state.get(WONT_DO, 0))


async def page(
    session: AsyncSession, incident_id: int, *, offset: int, limit: int
) -> list[ActionItem]:
    """Open items first (soonest due first), then closed ones (most recently closed first)."""
    closed_first = case((ActionItemRow.state == OPEN, 0), else_=1)
    found = await session.execute(
        select(ActionItemRow)
        .where(ActionItemRow.incident_id == incident_id)
        .order_by(
            closed_first,
            case((ActionItemRow.state == OPEN, ActionItemRow.due_on), else_=None).nulls_last(),
            ActionItemRow.closed_at.desc().nulls_last(),
            ActionItemRow.id,
        )
        .offset(offset)
        .limit(limit)
    )
    return [_item(row) for row in found.scalars()]
