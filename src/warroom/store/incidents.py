"""Incident rows in and out; domain snapshots are built here, nowhere else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident, RoleHolder
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import IncidentRow, RoleAssignmentRow, TeamSequenceRow

__all__ = [
    "ProvisionClaim",
    "claim_provisioning",
    "find",
    "find_by_declare_key",
    "find_by_number",
    "id_by_channel",
    "insert_incident",
    "load",
    "lock",
    "next_number",
    "open_by_severity",
    "open_in_team",
    "record",
    "release_provisioning",
    "renew_provisioning",
]


@dataclass(frozen=True)
class ProvisionClaim:
    resumed: bool
    until: datetime
    """When the claim lapses unless renewed."""


_INCIDENTS = cast(Table, IncidentRow.__table__)
_HOLDINGS = RoleAssignmentRow.__table__
_INCIDENT_BY_ID = select(_INCIDENTS).where(_INCIDENTS.c.id == bindparam("incident_id"))
_INCIDENT_LOCKED = _INCIDENT_BY_ID.with_for_update()
_HOLDERS_OF = (
    select(_HOLDINGS)
    .where(_HOLDINGS.c.incident_id == bindparam("incident_id"), _HOLDINGS.c.ended_at.is_(None))
    .order_by(_HOLDINGS.c.assigned_at)
)


_INSERT_INCIDENT = insert(_INCIDENTS).returning(*_INCIDENTS.c)
"""Built once: building and keying the statement afresh, with its 30-odd columns,
cost more than running it."""


@cache
def _next_number_statement(dialect: str) -> Any:
    sequences = TeamSequenceRow.__table__
    return (
        insert_on_conflict(dialect, sequences)
        .values(team_id=bindparam("team_id"), last_number=1)
        .on_conflict_do_update(
            index_elements=[sequences.c.team_id],
            set_={"last_number": sequences.c.last_number + 1},
        )
        .returning(sequences.c.last_number)
    )


async def next_number(session: AsyncSession, team_id: str) -> int:
    """Hand out the workspace's next incident number in one atomic statement."""
    stmt = _next_number_statement(session.get_bind().dialect.name)
    number: int = (await session.execute(stmt, {"team_id": team_id})).scalar_one()
    return number


async def insert_incident(
    session: AsyncSession,
    *,
    team_id: str,
    reporter_id: str,
    declaration: Declaration,
    declare_key: str | None,
    status: str,
    now: datetime,
    next_update_due_at: datetime | None = None,
) -> Incident:
    """A new incident, numbered next in its team, as stored: one INSERT … RETURNING
    (a flushed ORM row and a read back were two more statements on every declare)."""
    values = {
        "team_id": team_id,
        "number": await next_number(session, team_id),
        "declare_key": declare_key,
        "title": declaration.title,
        "impact": declaration.impact,
        "severity": declaration.severity,
        "status": status,
        "private": declaration.private,
        "reporter_id": reporter_id,
        "invitees": [u for u in declaration.responders if u != reporter_id],
        "started_at": declaration.started_at,
        "declared_at": now,
        "next_update_due_at": next_update_due_at,
    }
    row = (await session.execute(_INSERT_INCIDENT, values)).one()
    return to_domain(row)


async def find_by_declare_key(session: AsyncSession, declare_key: str) -> Incident | None:
    """The incident one declare form made, if it was stored."""
    found = await session.execute(
        select(IncidentRow.id).where(IncidentRow.declare_key == declare_key)
    )
    incident_id = found.scalar_one_or_none()
    return None if incident_id is None else await load(session, incident_id)


async def find(session: AsyncSession, incident_id: int) -> Incident | None:
    """The incident, or None if there is no such incident (any more)."""
    found = await session.execute(select(IncidentRow.id).where(IncidentRow.id == incident_id))
    return None if found.scalar_one_or_none() is None else await load(session, incident_id)


async def find_by_number(session: AsyncSession, team_id: str, number: int) -> Incident | None:
    """The workspace's INC-`number`, if there is one."""
    found = await session.execute(
        select(IncidentRow.id).where(IncidentRow.team_id == team_id, IncidentRow.number == number)
    )
    incident_id = found.scalar_one_or_none()
    return None if incident_id is None else await load(session, incident_id)


async def id_by_channel(session: AsyncSession, channel_id: str) -> int | None:
    found = await session.execute(
        select(IncidentRow.id).where(IncidentRow.channel_id == channel_id)
    )
    return found.scalar_one_or_none()


async def open_in_team(session: AsyncSession, team_id: str, *, limit: int) -> list[Incident]:
    """Incidents not yet resolved, newest first."""
    rows = await session.execute(
        select(IncidentRow)
        .where(IncidentRow.team_id == team_id, IncidentRow.resolved_at.is_(None))
        .order_by(IncidentRow.number.desc())
        .limit(limit)
    )
    return [to_domain(row) for row in rows.scalars()]


async def load(session: AsyncSession, incident_id: int) -> Incident:
    """The incident as stored now. Plain Core reads of built-once statements: the
    most frequent read there is (every refresh, twice), and the ORM's identity map
    and per-call statement building cost several times the query itself. Changes
    still pending in the session are flushed first, so the caller's own writes show."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    params = {"incident_id": incident_id}
    row = (await session.execute(_INCIDENT_BY_ID, params)).one()
    holders = await session.execute(_HOLDERS_OF, params)
    return to_domain(row, holders)


async def lock(session: AsyncSession, incident_id: int) -> Incident:
    """The incident, locked until the transaction ends (PostgreSQL; SQLite's
    `BEGIN IMMEDIATE` already serialises writers)."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    params = {"incident_id": incident_id}
    row = (await session.execute(_INCIDENT_LOCKED, params)).one()
    holders = await session.execute(_HOLDERS_OF, params)
    return to_domain(row, holders)


def to_domain(row: IncidentRow | Row[Any], holders: Iterable[Any] = ()) -> Incident:
    """From an ORM row or a Core row of the same columns."""
    return Incident(
        id=row.id,
        team_id=row.team_id,
        number=row.number,
        title=row.title,
        impact=row.impact,
        severity=row.severity,
        status=row.status,
        private=row.private,
        reporter_id=row.reporter_id,
        declared_at=row.declared_at,
        started_at=row.started_at,
        summary=row.summary,
        root_cause=row.root_cause,
        invitees=tuple(row.invitees or ()),
        channel_id=row.channel_id,
        channel_name=row.channel_name,
        card_ts=row.card_ts,
        announcement_channel_id=row.announcement_channel_id,
        announcement_ts=row.announcement_ts,
        acknowledged_at=row.acknowledged_at,
        mitigated_at=row.mitigated_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        last_update_at=row.last_update_at,
        next_update_due_at=row.next_update_due_at,
        provisioned_at=row.provisioned_at,
        provision_error=row.provision_error,
        pending_channel_name=row.pending_channel_name,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        duplicate_of=row.duplicate_of,
        roles=tuple(RoleHolder(h.role, h.user_id, h.assigned_by, h.assigned_at) for h in holders),
    )


@cache
def _record_statement(fields: tuple[str, ...]) -> Any:
    return (
        update(_INCIDENTS)
        .where(_INCIDENTS.c.id == bindparam("incident_id"))
        .values(version=_INCIDENTS.c.version + 1, **{f: bindparam(f"new_{f}") for f in fields})
    )


async def record(session: AsyncSession, incident_id: int, **fields: Any) -> None:
    """Write facts about the incident (Slack references, times) and bump its version.

    A Core UPDATE: incidents are read with Core (`load`, `lock`), so there is no ORM
    copy in the session to bring up to date, and the ORM's bulk-update path cost
    several times the statement (it runs a handful of times per declare). Built
    once per set of fields written."""
    values = {f"new_{name}": value for name, value in fields.items()}
    await session.execute(
        _record_statement(tuple(sorted(fields))), {"incident_id": incident_id, **values}
    )


_CLAIMED = update(_INCIDENTS).values(
    provisioning_until=bindparam("until"), version=_INCIDENTS.c.version + 1
)
_MINE = (_INCIDENTS.c.id == bindparam("incident_id"), _INCIDENTS.c.provisioned_at.is_(None))
_CLAIM_FRESH = _CLAIMED.where(*_MINE, _INCIDENTS.c.provisioning_until.is_(None)).returning(
    _INCIDENTS.c.provision_error
)
_CLAIM_LAPSED = _CLAIMED.where(
    *_MINE, _INCIDENTS.c.provisioning_until < bindparam("now")
).returning(_INCIDENTS.c.id)


async def claim_provisioning(
    session: AsyncSession, incident_id: int, now: datetime, lease: timedelta
) -> ProvisionClaim | None:
    """Take the right to build the war room; None if done or someone else holds it.

    The claim says whether an earlier run started and did not finish (it died
    with its lease held, or Slack failed it): Slack may then already hold the
    channel or messages that run made but never recorded.
    """
    until = now + lease
    first = (
        await session.execute(_CLAIM_FRESH, {"incident_id": incident_id, "until": until})
    ).first()
    if first is not None:
        return ProvisionClaim(resumed=first.provision_error is not None, until=until)
    lapsed = await session.execute(
        _CLAIM_LAPSED, {"incident_id": incident_id, "until": until, "now": now}
    )
    return None if lapsed.first() is None else ProvisionClaim(resumed=True, until=until)


async def renew_provisioning(
    session: AsyncSession, incident_id: int, *, held: datetime, until: datetime
) -> bool:
    """Move the claim that lapses at `held` to `until`; False if it is not held any
    more (released, or lapsed and taken over by another run)."""
    result = await session.execute(
        update(_INCIDENTS)
        .where(
            _INCIDENTS.c.id == incident_id,
            _INCIDENTS.c.provisioned_at.is_(None),
            _INCIDENTS.c.provisioning_until == held,
        )
        .values(provisioning_until=until, version=_INCIDENTS.c.version + 1)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def release_provisioning(
    session: AsyncSession,
    incident_id: int,
    *,
    done_at: datetime | None,
    error: str | None,
    facts: Mapping[str, str | None] | None = None,
) -> None:
    """End a setup run, writing down with it the `facts` (Slack references) it made."""
    await record(
        session,
        incident_id,
        provisioning_until=None,
        provisioned_at=done_at,
        provision_error=error,
        **(facts or {}),
    )


_OPEN_BY_SEVERITY = (
    select(_INCIDENTS.c.severity, func.count())
    .where(_INCIDENTS.c.resolved_at.is_(None))
    .group_by(_INCIDENTS.c.severity)
)


async def open_by_severity(session: AsyncSession) -> dict[str, int]:
    """How many incidents are not yet resolved, per severity, in every team; private
    ones counted (numbers only, never which). A severity with none is left out."""
    rows = await session.execute(_OPEN_BY_SEVERITY)
    return {str(severity): int(count) for severity, count in rows}
