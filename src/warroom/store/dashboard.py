"""Reads for the web pages under `/ui`: windows of the incident list and an incident's
status updates.

The list walks the team's incidents by number (the unique index on `(team_id,
number)`), newest first or, to page back, oldest first from a cursor, so a page costs
the same at the 10,000th incident as at the first. Words narrow it with the search of
`/incident find` (`warroom.store.search`: the same FTS5 tables on SQLite, the same
indexed expressions on PostgreSQL, every word a quoted prefix term, the query a bound
parameter). Private incidents are included: callers filter with `services.audience`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.dashboard import OPEN, RESOLVED, IncidentFilter, PostedUpdate
from warroom.domain.incident import Incident
from warroom.store.incidents import to_domain
from warroom.store.models import IncidentRow, RoleAssignmentRow, StatusUpdateRow
from warroom.store.search import (
    ENTRY_VECTOR,
    INCIDENT_VECTOR,
    SEARCHED_ENTRIES,
    fts5_query,
    tsquery,
)

__all__ = ["incident_window", "status_updates"]

_INCIDENTS = cast(Table, IncidentRow.__table__)
_HOLDINGS = cast(Table, RoleAssignmentRow.__table__)

_SQLITE_WORDS = (
    "(incidents.id IN (SELECT rowid FROM incident_search WHERE incident_search MATCH :words) "
    "OR incidents.id IN (SELECT timeline_entries.incident_id FROM timeline_search "
    "JOIN timeline_entries ON timeline_entries.id = timeline_search.rowid "
    "WHERE timeline_search MATCH :words))"
)
_PG_WORDS = (
    # Uncorrelated subqueries, so each is answered once from its GIN index (a filter
    # evaluated row by row along the numbers would compute every row's tsvector).
    "(incidents.id IN (SELECT incidents.id FROM incidents "
    f"WHERE ({INCIDENT_VECTOR}) @@ to_tsquery('simple'::regconfig, :words)) "
    "OR incidents.id IN (SELECT timeline_entries.incident_id FROM timeline_entries "
    f"WHERE {SEARCHED_ENTRIES} "
    f"AND {ENTRY_VECTOR} @@ to_tsquery('simple'::regconfig, :words)))"
)


def _words(session: AsyncSession, terms: Sequence[str]) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return text(_PG_WORDS).bindparams(words=tsquery(terms))  # type: ignore[return-value]
    return text(_SQLITE_WORDS).bindparams(words=fts5_query(terms))  # type: ignore[return-value]


async def incident_window(
    session: AsyncSession,
    team_id: str,
    wanted: IncidentFilter,
    *,
    below: int | None = None,
    above: int | None = None,
    limit: int,
) -> list[Incident]:
    """Up to `limit` of the team's incidents `wanted` describes, with their role holders:
    numbered below `below` newest first, or (given `above`) numbered above it oldest
    first. Private incidents included."""
    number = _INCIDENTS.c.number
    where: list[ColumnElement[bool]] = [_INCIDENTS.c.team_id == team_id]
    if wanted.status == OPEN:
        where.append(_INCIDENTS.c.resolved_at.is_(None))
    elif wanted.status == RESOLVED:
        where.append(_INCIDENTS.c.resolved_at.is_not(None))
    if wanted.severities:
        where.append(_INCIDENTS.c.severity.in_(wanted.severities))
    if wanted.declared_from is not None:
        where.append(_INCIDENTS.c.declared_at >= wanted.declared_from)
    if wanted.declared_until is not None:
        where.append(_INCIDENTS.c.declared_at < wanted.declared_until)
    terms = [term for term in wanted.terms if term]
    if terms:
        where.append(_words(session, terms))
    if above is not None:
        where.append(number > above)
        order = number.asc()
    else:
        if below is not None:
            where.append(number < below)
        order = number.desc()
    rows = (
        await session.execute(select(_INCIDENTS).where(and_(*where)).order_by(order).limit(limit))
    ).all()
    if not rows:
        return []
    holders: dict[int, list[Any]] = {row.id: [] for row in rows}
    held = await session.execute(
        select(_HOLDINGS)
        .where(_HOLDINGS.c.incident_id.in_(list(holders)), _HOLDINGS.c.ended_at.is_(None))
        .order_by(_HOLDINGS.c.assigned_at)
    )
    for holding in held:
        holders[holding.incident_id].append(holding)
    return [to_domain(row, holders[row.id]) for row in rows]


async def status_updates(session: AsyncSession, incident_id: int) -> list[PostedUpdate]:
    """The incident's status updates, oldest first."""
    rows = await session.execute(
        select(StatusUpdateRow)
        .where(StatusUpdateRow.incident_id == incident_id)
        .order_by(StatusUpdateRow.posted_at, StatusUpdateRow.id)
    )
    return [
        PostedUpdate(
            author_id=row.author_id,
            status=row.status,
            happening=row.happening,
            impact=row.impact,
            doing=row.doing,
            posted_at=row.posted_at,
            next_update_at=row.next_update_at,
            due_at=row.due_at,
        )
        for row in rows.scalars()
    ]
