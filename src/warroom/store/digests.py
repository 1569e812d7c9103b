"""What the weekly digest reads besides the report's figures: the week's incidents
counted by severity and privacy, the public ones themselves (up to a limit), and
the open action items past due, counted per incident.

Cancelled incidents are left out, as in the report. Private incidents come back only
as numbers: no query here returns a private incident's row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.action_item import OPEN
from warroom.domain.incident import Incident
from warroom.store.incidents import to_domain
from warroom.store.models import ActionItemRow, IncidentRow

__all__ = ["declared_public", "overdue_counts", "public_incidents", "week_counts"]

_INCIDENTS = cast(Table, IncidentRow.__table__)
_ITEMS = cast(Table, ActionItemRow.__table__)


def _declared(since: datetime, until: datetime) -> list[Any]:
    return [
        _INCIDENTS.c.cancelled_at.is_(None),
        _INCIDENTS.c.declared_at >= since,
        _INCIDENTS.c.declared_at < until,
    ]


async def week_counts(
    session: AsyncSession, *, since: datetime, until: datetime
) -> list[tuple[str, bool, int]]:
    """(severity, private, how many) of the incidents declared in [since, until)."""
    rows = await session.execute(
        select(_INCIDENTS.c.severity, _INCIDENTS.c.private, func.count())
        .where(*_declared(since, until))
        .group_by(_INCIDENTS.c.severity, _INCIDENTS.c.private)
    )
    return [(str(severity), bool(private), int(count)) for severity, private, count in rows]


async def declared_public(
    session: AsyncSession, *, since: datetime, until: datetime, limit: int
) -> list[Incident]:
    """Up to `limit` public incidents declared in [since, until), first declared first."""
    rows = await session.execute(
        select(_INCIDENTS)
        .where(*_declared(since, until), _INCIDENTS.c.private.is_(False))
        .order_by(_INCIDENTS.c.declared_at, _INCIDENTS.c.id)
        .limit(limit)
    )
    return [to_domain(row) for row in rows]


async def overdue_counts(session: AsyncSession, *, today: date) -> list[tuple[int, bool, int]]:
    """(incident id, private, how many) for every incident with open action items due
    before `today`, most such items first."""
    count = func.count().label("items")
    rows = await session.execute(
        select(_INCIDENTS.c.id, _INCIDENTS.c.private, count)
        .join(_ITEMS, _ITEMS.c.incident_id == _INCIDENTS.c.id)
        .where(
            _INCIDENTS.c.cancelled_at.is_(None),
            _ITEMS.c.state == OPEN,
            _ITEMS.c.due_on.is_not(None),
            _ITEMS.c.due_on < today,
        )
        .group_by(_INCIDENTS.c.id, _INCIDENTS.c.private)
        .order_by(count.desc(), _INCIDENTS.c.id)
    )
    return [(int(incident), bool(private), int(items)) for incident, private, items in rows]


async def public_incidents(session: AsyncSession, ids: Iterable[int]) -> dict[int, Incident]:
    """The public incidents among `ids` (a private one is left out), by id."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(_INCIDENTS).where(_INCIDENTS.c.id.in_(wanted), _INCIDENTS.c.private.is_(False))
    )
    return {row.id: to_domain(row) for row in rows}
