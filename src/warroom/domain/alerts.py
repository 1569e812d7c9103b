"""Alerts as Warroom sees them, whatever sent them (Alertmanager, Grafana, our own JSON).

A `Notification` is one webhook call: a group of alerts that the sender grouped
under one `group_key` (Alertmanager's grouping: same route, same group labels).
An `Alert` in it is identified by its `fingerprint` (a hash of its labels) and
the time it started firing: the same fingerprint firing again later is a new
occurrence. A resent notification has the same `receipt_key` and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

__all__ = [
    "DECLARING",
    "DISMISSED",
    "FIRING",
    "IN_INCIDENT",
    "PROPOSED",
    "RESOLVED",
    "SOURCES",
    "Alert",
    "AlertGroup",
    "AlertStatus",
    "Notification",
    "combine",
    "label_fingerprint",
]

AlertStatus = Literal["firing", "resolved"]
FIRING: AlertStatus = "firing"
RESOLVED: AlertStatus = "resolved"
SOURCES = ("alertmanager", "grafana", "generic")


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable 16-hex-digit identity for a label set, for senders that give none."""
    canonical = json.dumps(sorted(labels.items()), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    status: AlertStatus
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    """Timezone-aware UTC."""
    ends_at: datetime | None = None
    """When it resolved (or, for a firing alert, when the sender expects it to end);
    None for Alertmanager's zero time."""
    source_url: str | None = None
    """Where the alert comes from (Alertmanager's `generatorURL`, Grafana's rule)."""

    @property
    def name(self) -> str:
        return self.labels.get("alertname") or self.fingerprint

    @property
    def summary(self) -> str:
        return self.annotations.get("summary") or self.annotations.get("description") or ""


@dataclass(frozen=True)
class Notification:
    source: str
    """One of SOURCES."""
    group_key: str
    status: AlertStatus
    alerts: tuple[Alert, ...]
    group_labels: Mapping[str, str] = field(default_factory=dict)
    common_labels: Mapping[str, str] = field(default_factory=dict)
    common_annotations: Mapping[str, str] = field(default_factory=dict)
    external_url: str | None = None
    truncated: int = 0
    """How many alerts the sender left out (Alertmanager's `max_alerts`)."""

    @property
    def receipt_key(self) -> str:
        """The same for a resent notification: what it says, not when it came."""
        facts = [
            self.source,
            self.group_key,
            self.status,
            sorted((a.fingerprint, a.starts_at.isoformat(), a.status) for a in self.alerts),
        ]
        canonical = json.dumps(facts, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


PROPOSED = "proposed"
"""A triage card asks the channel what to do."""
DECLARING = "declaring"
"""Its route declares an incident; the job doing it has not finished yet."""
IN_INCIDENT = "incident"
DISMISSED = "dismissed"


@dataclass(frozen=True)
class AlertGroup:
    """A sender's group as Warroom keeps it, with its alerts' current tally."""

    id: int
    source: str
    group_key: str
    route: str | None
    state: str | None
    cycle: int
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    external_url: str | None
    incident_id: int | None
    proposal_channel: str | None
    proposal_ts: str | None
    decided_by: str | None
    first_started_at: datetime
    updated_at: datetime
    firing: int = 0
    resolved: int = 0
    alerts: tuple[Alert, ...] = ()
    """A few of its alerts, firing first, for a card to show."""

    @property
    def name(self) -> str:
        return self.labels.get("alertname") or (self.alerts[0].name if self.alerts else "alert")

    @property
    def summary(self) -> str:
        found = self.annotations.get("summary") or self.annotations.get("description")
        return found or (self.alerts[0].summary if self.alerts else "")


def combine(notifications: Sequence[Notification]) -> list[Notification]:
    """One notification per group, in order of first arrival, saying what they said
    together: every alert once, resolved if any of them said so (an alert that resolved
    never fires again), and the latest common labels."""
    merged: dict[tuple[str, str], Notification] = {}
    for notification in notifications:
        key = (notification.source, notification.group_key)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = notification
            continue
        alerts = {(a.fingerprint, a.starts_at): a for a in earlier.alerts}
        for alert in notification.alerts:
            seen = alerts.get((alert.fingerprint, alert.starts_at))
            if seen is None or seen.status == FIRING:
                alerts[(alert.fingerprint, alert.starts_at)] = alert
        latest = notification if notification.common_labels else earlier
        merged[key] = replace(
            latest,
            alerts=tuple(alerts.values()),
            status=FIRING if any(a.status == FIRING for a in alerts.values()) else RESOLVED,
            truncated=max(earlier.truncated, notification.truncated),
        )
    return list(merged.values())
