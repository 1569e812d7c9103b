"""What the report needs, read in a few set-based queries: one row per incident in
the period, and counts over what hangs off those incidents.

The per-incident row is what the incident row already holds (the first IC is
`acknowledged_at`, set when the first Incident Commander is named) and its first
status update (MIN per incident, from `ix_status_updates_incident_posted`), times as
seconds since the epoch (floats) computed by the database. Status updates and
reminders are only counted: reminders through the partial index
`ix_timeline_entries_reminders`, so no timeline row but a reminder is read.

`incident_columns` (what the report uses) hands the rows over column by column: on
PostgreSQL the database gathers each column into an array (`array_agg`) and sends
one row, which asyncpg decodes in C; 100,000 rows cost more to move into Python
than the figures take to compute. On SQLite the rows are read and transposed.

Cancelled incidents are left out here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Executable, Float, Result, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType

from warroom.domain.action_item import DONE, OPEN, WONT_DO
from warroom.domain.report import (
    ActionItemTally,
    Activity,
    FactColumns,
    IncidentFacts,
    ReportPeriod,
)
from warroom.store.models import ActionItemRow, IncidentRow, StatusUpdateRow, TimelineEntryRow
from warroom.store.sqlite_inline import InlineSession

__all__ = ["REMINDER", "action_item_tally", "activity", "incident_columns", "incident_facts"]

REMINDER = "reminder"
"""The timeline kind of every reminder Warroom sends (updates, no IC, action items)."""


class _EpochSeconds(FunctionElement[float]):
    """A stored time as UTC seconds since the epoch, a float (None stays None)."""

    type = Float()
    inherit_cache = True


@compiles(_EpochSeconds, "postgresql")
def _epoch_pg(element: _EpochSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part is double precision; EXTRACT is numeric since PostgreSQL 14, far slower.
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(_EpochSeconds, "sqlite")
def _epoch_sqlite(element: _EpochSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; julianday reads it (to the ms).
    moment = compiler.process(element.clauses, **kw)
    return f"round((julianday({moment}) - 2440587.5) * 86400.0, 3)"


def _epoch(column: Any) -> ColumnElement[float]:
    return _EpochSeconds(column)


async def _core_rows(session: AsyncSession, query: Executable) -> Result[Any]:
    """The rows of `query` run on the session's connection (Core), not through the
    ORM's row loading, which costs a third more over 100,000 rows."""
    if isinstance(session, InlineSession):  # SQLite: a synchronous Session underneath
        rows: Result[Any] = session.sync_session.connection().execute(query)
        return rows
    return await (await session.connection()).execute(query)


def _chosen(period: ReportPeriod, team: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [IncidentRow.cancelled_at.is_(None)]
    if team is not None:
        where.append(IncidentRow.team_id == team)
    if period.since is not None:
        where.append(IncidentRow.declared_at >= period.since)
    if period.until is not None:
        where.append(IncidentRow.declared_at < period.until)
    if period.severity is not None:
        where.append(IncidentRow.severity == period.severity)
    return where


def _facts_query(
    period: ReportPeriod,
    team: str | None,
    column: Callable[[ColumnElement[Any]], ColumnElement[Any]] = lambda c: c,
) -> Select[Any]:
    """The fields of `IncidentFacts`, in order, each through `column`."""
    first_updates = (
        select(
            StatusUpdateRow.incident_id.label("incident_id"),
            func.min(StatusUpdateRow.posted_at).label("first"),
        )
        .group_by(StatusUpdateRow.incident_id)
        .subquery("first_updates")
    )
    incident = IncidentRow
    fields: list[ColumnElement[Any]] = [
        incident.severity.expression,
        incident.private.expression,
        _epoch(incident.declared_at),
        _epoch(incident.started_at),
        _epoch(incident.acknowledged_at),
        _epoch(incident.mitigated_at),
        _epoch(incident.resolved_at),
        _epoch(incident.closed_at),
        _epoch(incident.next_update_due_at),
        _epoch(first_updates.c.first),
    ]
    return (
        select(*map(column, fields))
        .select_from(incident)
        .outerjoin(first_updates, first_updates.c.incident_id == incident.id)
        .where(*_chosen(period, team))
    )


def _array_of(column: ColumnElement[Any]) -> ColumnElement[Any]:
    # NullType: the driver's list as it comes (asyncpg decodes arrays in C).
    return func.array_agg(column, type_=NullType())


async def incident_facts(
    session: AsyncSession, period: ReportPeriod, *, team: str | None = None
) -> list[IncidentFacts]:
    """One `IncidentFacts` per incident declared in `period` (of `team`, or every
    workspace's), cancelled ones left out; in no particular order."""
    return list(map(IncidentFacts._make, await _core_rows(session, _facts_query(period, team))))


async def incident_columns(
    session: AsyncSession, period: ReportPeriod, *, team: str | None = None
) -> FactColumns:
    """What `incident_facts` reads, column by column (on PostgreSQL as ten arrays in
    one row)."""
    if isinstance(session, InlineSession) or session.get_bind().dialect.name != "postgresql":
        rows = list(await _core_rows(session, _facts_query(period, team)))
        return FactColumns(*zip(*rows, strict=True)) if rows else FactColumns()
    arrays = (await _core_rows(session, _facts_query(period, team, _array_of))).one()
    if arrays[0] is None:  # array_agg over no rows
        return FactColumns()
    return FactColumns(*arrays)


async def activity(
    session: AsyncSession, period: ReportPeriod, *, team: str | None = None
) -> Activity:
    """Status updates (posted, with a due time, posted by it) and reminders sent in the
    incidents `incident_facts` reads, counted by the database."""
    on_time = case((StatusUpdateRow.posted_at <= StatusUpdateRow.due_at, 1), else_=0)
    updates = (
        select(
            func.count(),
            func.count(StatusUpdateRow.due_at),
            func.coalesce(func.sum(on_time), 0),
        )
        .join(IncidentRow, IncidentRow.id == StatusUpdateRow.incident_id)
        .where(*_chosen(period, team))
    )
    reminders = (
        select(func.count())
        .select_from(TimelineEntryRow)
        .join(IncidentRow, IncidentRow.id == TimelineEntryRow.incident_id)
        .where(TimelineEntryRow.kind == REMINDER, *_chosen(period, team))
    )
    posted, with_due, in_time = (await session.execute(updates)).one()
    sent = (await session.execute(reminders)).scalar_one()
    return Activity(int(posted), int(with_due), int(in_time), int(sent))


async def action_item_tally(
    session: AsyncSession, period: ReportPeriod, *, today: date, team: str | None = None
) -> ActionItemTally:
    """The action items of the incidents `incident_facts` reads: open (and of those,
    due before `today`), done, won't do."""
    overdue = case(
        (
            (ActionItemRow.state == OPEN)
            & ActionItemRow.due_on.is_not(None)
            & (ActionItemRow.due_on < today),
            1,
        ),
        else_=0,
    )
    query = (
        select(ActionItemRow.state, func.count(), func.coalesce(func.sum(overdue), 0))
        .join(IncidentRow, IncidentRow.id == ActionItemRow.incident_id)
        .where(*_chosen(period, team))
        .group_by(ActionItemRow.state)
    )
    counts: dict[str, int] = {}
    late = 0
    for state, count, overdue_count in await session.execute(query):
        counts[state] = int(count)
        late += int(overdue_count)
    return ActionItemTally(
        open=counts.get(OPEN, 0),
        overdue=late,
        done=counts.get(DONE, 0),
        wont_do=counts.get(WONT_DO, 0),
    )
