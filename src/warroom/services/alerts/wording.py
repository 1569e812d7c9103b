"""What an alert group says: to its route, its templates, a person, the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from warroom.domain.alert_routing import TemplateContext, render
from warroom.domain.alerts import DISMISSED, FIRING, Alert, AlertGroup, Notification
from warroom.domain.declaration import IMPACT_MAX, TITLE_MAX
from warroom.domain.policy import AlertRoute
from warroom.store import timeline
from warroom.store.engine import Session

__all__ = [
    "AlertProblem",
    "DeclareDraft",
    "append_line",
    "draft_of",
    "route_facts",
    "settled_reason",
    "template_context",
]

LABELS_ON_TIMELINE = 4


@dataclass(frozen=True)
class DeclareDraft:
    title: str
    impact: str
    severity: str | None
    labels: Mapping[str, str]


class AlertProblem(Exception):
    """Why a person's choice on a triage card could not be done, said to them."""


def route_facts(
    group: AlertGroup, notification: Notification
) -> tuple[Mapping[str, str], Mapping[str, str]]:
    first = notification.alerts[0] if notification.alerts else None
    labels = notification.common_labels or group.labels or (first.labels if first else {})
    annotations = (
        notification.common_annotations or group.annotations or (first.annotations if first else {})
    )
    return labels, annotations


def draft_of(group: AlertGroup, route: AlertRoute) -> DeclareDraft:
    """The declaration the group's route makes of it: its templates over the group."""
    context = template_context(group)
    return DeclareDraft(
        title=render(route.title, context, limit=TITLE_MAX),
        impact=render(route.impact, context, limit=IMPACT_MAX, fallback=""),
        severity=route.severity,
        labels=dict(context.labels),
    )


def template_context(group: AlertGroup) -> TemplateContext:
    first = group.alerts[0] if group.alerts else None
    return TemplateContext(
        labels=dict(group.labels or (first.labels if first else {})),
        annotations=dict(group.annotations or (first.annotations if first else {})),
        status=FIRING if group.firing else "resolved",
        source=group.source,
        count=group.firing + group.resolved,
        group_key=group.group_key,
    )


def settled_reason(group: AlertGroup) -> str:
    if group.state == DISMISSED:
        return "These alerts were dismissed already."
    if group.incident_id is not None:
        return "These alerts belong to an incident already."
    return "These alerts are being declared already."


async def append_line(
    session: Session, incident_id: int, source: str, alert: Alert, at: datetime, now: datetime
) -> None:
    """One line a reader of the timeline or postmortem can act on: name, state, summary,
    the labels that tell this alert apart, and where it comes from."""
    firing = alert.status == FIRING and at == alert.starts_at
    verb = "firing" if firing else "resolved"
    summary = f": {alert.summary}" if alert.summary else ""
    shown = [f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname"]
    labels = (
        f" [{', '.join(shown[:LABELS_ON_TIMELINE])}{', …' if shown[LABELS_ON_TIMELINE:] else ''}]"
    )
    link = f" {alert.source_url}" if alert.source_url else ""
    await timeline.append(
        session,
        incident_id=incident_id,
        kind="alert",
        author_id=None,
        text=f"{alert.name} {verb}{summary}{labels if shown else ''}{link}",
        occurred_at=at,
        recorded_at=now,
        data={
            "source": source,
            "status": verb,
            "fingerprint": alert.fingerprint,
            "labels": dict(alert.labels),
            **({"url": alert.source_url} if alert.source_url else {}),
        },
    )
