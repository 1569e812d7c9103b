"""Alert notifications as received, the groups they form, and each alert occurrence.

A receipt is inserted once per `receipt_key`: a resent notification inserts
nothing. The alert desk takes waiting receipts in arrival order and merges their
alerts into groups, one row per (group, fingerprint, start); a resolved alert
never fires again (a late firing copy of a notification changes nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.alerts import FIRING, RESOLVED, Alert, AlertGroup, Notification
from warroom.store.batch_delete import delete_oldest
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import AlertGroupRow, AlertReceiptRow, AlertRow, IncidentRow

__all__ = [
    "Merged",
    "Receipt",
    "add_receipt",
    "add_receipts",
    "decode",
    "encode",
    "firing_count",
    "group_hash",
    "groups_of_incident",
    "incident_alert_tally",
    "labels_by_incident",
    "load_group",
    "lock_group",
    "mark_processed",
    "merge_alerts",
    "open_incident_of",
    "prune_receipts",
    "save_group",
    "waiting_receipts",
]

_RECEIPTS = cast(Table, AlertReceiptRow.__table__)
_ALERTS = cast(Table, AlertRow.__table__)
_GROUPS = cast(Table, AlertGroupRow.__table__)
SHOWN_ALERTS = 10


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def encode(notification: Notification) -> dict[str, Any]:
    """The notification as JSON, to store until it is processed."""
    return {
        "source": notification.source,
        "group_key": notification.group_key,
        "status": notification.status,
        "group_labels": dict(notification.group_labels),
        "common_labels": dict(notification.common_labels),
        "common_annotations": dict(notification.common_annotations),
        "external_url": notification.external_url,
        "truncated": notification.truncated,
        "alerts": [
            {
                "fingerprint": a.fingerprint,
                "status": a.status,
                "labels": dict(a.labels),
                "annotations": dict(a.annotations),
                "starts_at": _time(a.starts_at),
                "ends_at": _time(a.ends_at),
                "source_url": a.source_url,
            }
            for a in notification.alerts
        ],
    }


def _alert(data: Mapping[str, Any]) -> Alert:
    starts_at = _parse_time(data["starts_at"])
    assert starts_at is not None
    return Alert(
        fingerprint=data["fingerprint"],
        status=RESOLVED if data["status"] == RESOLVED else FIRING,
        labels=dict(data["labels"]),
        annotations=dict(data["annotations"]),
        starts_at=starts_at,
        ends_at=_parse_time(data.get("ends_at")),
        source_url=data.get("source_url"),
    )


def decode(data: Mapping[str, Any]) -> Notification:
    return Notification(
        source=data["source"],
        group_key=data["group_key"],
        status=RESOLVED if data["status"] == RESOLVED else FIRING,
        alerts=tuple(_alert(a) for a in data["alerts"]),
        group_labels=dict(data.get("group_labels") or {}),
        common_labels=dict(data.get("common_labels") or {}),
        common_annotations=dict(data.get("common_annotations") or {}),
        external_url=data.get("external_url"),
        truncated=int(data.get("truncated") or 0),
    )


def _add_receipt_statement(dialect: str) -> Any:
    return (
        insert_on_conflict(dialect, _RECEIPTS)
        .on_conflict_do_nothing(index_elements=[_RECEIPTS.c.receipt_key])
        .returning(_RECEIPTS.c.receipt_key)
    )


_ADD_RECEIPT = {name: _add_receipt_statement(name) for name in ("sqlite", "postgresql")}


async def add_receipts(
    session: AsyncSession, received: Sequence[tuple[Notification, datetime]]
) -> list[bool]:
    """Store (notification, received at) pairs in one statement; per pair, False if the
    same notification was stored before (or earlier in `received`)."""
    if not received:
        return []
    stmt = _ADD_RECEIPT[session.get_bind().dialect.name]
    values = [
        {
            "source": notification.source,
            "receipt_key": notification.receipt_key,
            "notification": encode(notification),
            "received_at": now,
            "processed_at": None,
        }
        for notification, now in received
    ]
    stored = {row[0] for row in await session.execute(stmt, values)}
    new = []
    for value in values:
        new.append(value["receipt_key"] in stored)
        stored.discard(value["receipt_key"])
    return new


async def add_receipt(session: AsyncSession, notification: Notification, *, now: datetime) -> bool:
    """Store the notification; False if the same one was stored before."""
    (new,) = await add_receipts(session, [(notification, now)])
    return new


@dataclass(frozen=True)
class Receipt:
    id: int
    notification: Notification
    received_at: datetime


async def waiting_receipts(session: AsyncSession, *, limit: int) -> list[Receipt]:
    """The oldest receipts not processed yet."""
    rows = await session.execute(
        select(AlertReceiptRow.id, AlertReceiptRow.notification, AlertReceiptRow.received_at)
        .where(AlertReceiptRow.processed_at.is_(None))
        .order_by(AlertReceiptRow.id)
        .limit(limit)
    )
    return [Receipt(row[0], decode(row[1]), row[2]) for row in rows]


_MARK_PROCESSED = (
    update(_RECEIPTS)
    .where(_RECEIPTS.c.id.in_(bindparam("ids", expanding=True)))
    .values(processed_at=bindparam("now"))
)


async def mark_processed(session: AsyncSession, ids: Sequence[int], *, now: datetime) -> None:
    if ids:
        await session.execute(_MARK_PROCESSED, {"ids": list(ids), "now": now})


def group_hash(source: str, group_key: str) -> str:
    return hashlib.sha256(f"{source}\x00{group_key}".encode()).hexdigest()


def _group(
    row: AlertGroupRow | Row[Any], firing: int = 0, resolved: int = 0, alerts: Sequence[Alert] = ()
) -> AlertGroup:
    return AlertGroup(
        id=row.id,
        source=row.source,
        group_key=row.group_key,
        route=row.route,
        state=row.state or None,
        cycle=row.cycle,
        labels=dict(row.labels or {}),
        annotations=dict(row.annotations or {}),
        external_url=row.external_url,
        incident_id=row.incident_id,
        proposal_channel=row.proposal_channel,
        proposal_ts=row.proposal_ts,
        decided_by=row.decided_by,
        first_started_at=row.first_started_at,
        updated_at=row.updated_at,
        firing=firing,
        resolved=resolved,
        alerts=tuple(alerts),
    )


_GROUP_LOCKED = select(_GROUPS).where(_GROUPS.c.group_hash == bindparam("hash")).with_for_update()
_ADD_GROUP = {
    name: insert_on_conflict(name, _GROUPS).on_conflict_do_nothing(
        index_elements=[_GROUPS.c.group_hash]
    )
    for name in ("sqlite", "postgresql")
}


async def lock_group(
    session: AsyncSession, notification: Notification, *, started_at: datetime, now: datetime
) -> AlertGroup:
    """The notification's group, made if it is new, locked until the transaction ends
    (PostgreSQL): replicas taking the same new group at once make one."""
    hashed = group_hash(notification.source, notification.group_key)
    row = (await session.execute(_GROUP_LOCKED, {"hash": hashed})).first()
    if row is None:
        values = {
            "group_hash": hashed,
            "source": notification.source,
            "group_key": notification.group_key,
            "route": None,
            "state": "",
            "cycle": 1,
            "labels": dict(notification.common_labels),
            "annotations": dict(notification.common_annotations),
            "external_url": notification.external_url,
            "first_started_at": started_at,
            "updated_at": now,
        }
        await session.execute(_ADD_GROUP[session.get_bind().dialect.name], values)
        row = (await session.execute(_GROUP_LOCKED, {"hash": hashed})).one()
    return _group(row)


@cache
def _save_statement(fields: tuple[str, ...]) -> Any:
    """Built once per set of fields: a storm saves each group once per batch."""
    return (
        update(_GROUPS)
        .where(_GROUPS.c.id == bindparam("group_id"))
        .values(**{f: bindparam(f"new_{f}") for f in fields})
    )


async def save_group(session: AsyncSession, group_id: int, **fields: Any) -> None:
    if "state" in fields and fields["state"] is None:
        fields["state"] = ""
    values = {f"new_{name}": value for name, value in fields.items()}
    await session.execute(_save_statement(tuple(sorted(fields))), {"group_id": group_id, **values})


@dataclass(frozen=True)
class Merged:
    """What a notification changed: alerts that began firing, alerts that resolved."""

    fired: tuple[Alert, ...]
    resolved: tuple[Alert, ...]


_EXISTING_ALERTS = select(
    _ALERTS.c.id, _ALERTS.c.fingerprint, _ALERTS.c.starts_at, _ALERTS.c.status
).where(
    _ALERTS.c.group_id == bindparam("group_id"),
    _ALERTS.c.fingerprint.in_(bindparam("fingerprints", expanding=True)),
    _ALERTS.c.starts_at.in_(bindparam("starts", expanding=True)),
)
_INSERT_ALERTS = _ALERTS.insert()


async def merge_alerts(
    session: AsyncSession, group_id: int, alerts: Sequence[Alert], *, now: datetime
) -> Merged:
    """Insert new occurrences and resolve firing ones; a resolved one stays resolved."""
    if not alerts:
        return Merged((), ())
    starts = {a.starts_at for a in alerts}
    existing: dict[tuple[str, datetime], tuple[int, str]] = {
        (row[1], row[2]): (row[0], row[3])
        for row in await session.execute(
            _EXISTING_ALERTS,
            {
                "group_id": group_id,
                "fingerprints": list({a.fingerprint for a in alerts}),
                "starts": list(starts),
            },
        )
    }
    fired: list[Alert] = []
    resolved: list[Alert] = []
    new_rows: list[dict[str, Any]] = []
    seen: set[tuple[str, datetime]] = set()
    for alert in alerts:
        key = (alert.fingerprint, alert.starts_at)
        if key in seen:
            continue
        seen.add(key)
        found = existing.get(key)
        if found is None:
            new_rows.append(_alert_values(group_id, alert, now))
            (fired if alert.status == FIRING else resolved).append(alert)
        elif found[1] == FIRING and alert.status == RESOLVED:
            await session.execute(
                update(AlertRow)
                .where(AlertRow.id == found[0])
                .values(status=RESOLVED, ends_at=alert.ends_at or now, updated_at=now)
            )
            resolved.append(alert)
    if new_rows:
        await session.execute(_INSERT_ALERTS, new_rows)
    return Merged(tuple(fired), tuple(resolved))


def _alert_values(group_id: int, alert: Alert, now: datetime) -> dict[str, Any]:
    return {
        "group_id": group_id,
        "fingerprint": alert.fingerprint,
        "status": alert.status,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at if alert.status == RESOLVED else None,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "source_url": alert.source_url,
        "received_at": now,
        "updated_at": now,
    }


def _stored_alert(row: AlertRow | Row[Any]) -> Alert:
    return Alert(
        fingerprint=row.fingerprint,
        status=RESOLVED if row.status == RESOLVED else FIRING,
        labels=dict(row.labels or {}),
        annotations=dict(row.annotations or {}),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        source_url=row.source_url,
    )


_IS_FIRING = case((AlertRow.status == FIRING, 1), else_=0)


async def load_group(
    session: AsyncSession, group_id: int, *, every: bool = False, lock: bool = False
) -> AlertGroup:
    """The group with its current cycle's tally and a few of its alerts (firing first,
    newest first), or with `every` one of them; with `lock`, locked (PostgreSQL)."""
    query = select(AlertGroupRow).where(AlertGroupRow.id == group_id)
    row = (await session.execute(query.with_for_update() if lock else query)).scalar_one()
    in_cycle = (AlertRow.group_id == group_id, AlertRow.starts_at >= row.first_started_at)
    tally = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(_IS_FIRING), 0)).where(*in_cycle)
        )
    ).one()
    shown = (
        select(AlertRow)
        .where(*in_cycle)
        .order_by(_IS_FIRING.desc(), AlertRow.starts_at.desc(), AlertRow.id.desc())
    )
    rows = await session.execute(shown if every else shown.limit(SHOWN_ALERTS))
    firing = int(tally[1])
    alerts = [_stored_alert(a) for a in rows.scalars()]
    return _group(row, firing=firing, resolved=int(tally[0]) - firing, alerts=alerts)


async def firing_count(session: AsyncSession, group_id: int) -> int:
    """How many of the group's alerts fire now (any cycle)."""
    return int(
        (
            await session.execute(
                select(func.count()).where(AlertRow.group_id == group_id, AlertRow.status == FIRING)
            )
        ).scalar_one()
    )


async def groups_of_incident(session: AsyncSession, incident_id: int) -> list[AlertGroup]:
    rows = await session.execute(
        select(AlertGroupRow)
        .where(AlertGroupRow.incident_id == incident_id)
        .order_by(AlertGroupRow.id)
    )
    return [_group(row) for row in rows.scalars()]


async def incident_alert_tally(session: AsyncSession, incident_id: int) -> tuple[int, int]:
    """(firing, all) alerts of the incident's groups since each group's current cycle."""
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(_IS_FIRING), 0))
            .select_from(AlertRow)
            .join(AlertGroupRow, AlertGroupRow.id == AlertRow.group_id)
            .where(
                AlertGroupRow.incident_id == incident_id,
                AlertRow.starts_at >= AlertGroupRow.first_started_at,
            )
        )
    ).one()
    return int(row[1]), int(row[0])


async def open_incident_of(session: AsyncSession, incident_id: int) -> bool:
    """Whether the incident is still open (not resolved, not cancelled)."""
    row = (
        await session.execute(
            select(IncidentRow.resolved_at, IncidentRow.cancelled_at).where(
                IncidentRow.id == incident_id
            )
        )
    ).first()
    return row is not None and row[0] is None and row[1] is None


async def prune_receipts(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Forget up to `limit` processed notifications received before `before`; their
    alerts stay in their groups (and on incidents' timelines). A sender stops resending
    long before, so a resend can no longer arrive to be told apart."""
    return await delete_oldest(
        session,
        AlertReceiptRow.id,
        AlertReceiptRow.id,
        AlertReceiptRow.received_at < before,
        AlertReceiptRow.processed_at.is_not(None),
        limit=limit,
    )


async def labels_by_incident(
    session: AsyncSession, incident_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    """Each incident's alert labels (its groups' common labels, the first group's value
    where they differ), for telling whether an alert looks like one of them."""
    if not incident_ids:
        return {}
    rows = await session.execute(
        select(AlertGroupRow.incident_id, AlertGroupRow.labels)
        .where(AlertGroupRow.incident_id.in_(list(incident_ids)))
        .order_by(AlertGroupRow.id)
    )
    found: dict[int, dict[str, str]] = {}
    for incident_id, labels in rows:
        merged = found.setdefault(int(incident_id), {})
        for key, value in (labels or {}).items():
            merged.setdefault(str(key), str(value))
    return found
