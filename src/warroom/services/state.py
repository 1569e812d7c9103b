"""Changing an open incident's severity or status."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from warroom.domain.changes import is_raise_to_top, resolve_settable_status, resolve_severity
from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.services.fanout import fan_out
from warroom.services.permissions import Guard
from warroom.services.reminders import Reminders
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.changes import (
    raised_to_top_notice,
    severity_changed_line,
    status_changed_line,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import incidents, timeline
from warroom.store.engine import Session, Store

__all__ = ["StateChange", "StateService"]

Field = Literal["severity", "status"]


@dataclass(frozen=True)
class StateChange:
    incident: Incident
    field: Field
    old: str
    new: str
    by: str
    at: datetime


@dataclass
class StateService:
    store: Store
    gateway: SlackGateway
    surfaces: Surfaces
    policy: Policy
    clock: Clock
    reminders: Reminders
    broadcast_channel: str | None
    guard: Guard

    async def change_severity(self, incident_id: int, text: str, by: str) -> StateChange | None:
        """None when it already has that severity; `InvalidChoice` for an unknown one."""
        return await self._change(
            incident_id, "severity", resolve_severity(self.policy, text).key, by
        )

    async def change_status(self, incident_id: int, text: str, by: str) -> StateChange | None:
        status = resolve_settable_status(self.policy, text)
        return await self._change(incident_id, "status", status.key, by)

    async def _change(
        self, incident_id: int, field: Field, new: str, by: str
    ) -> StateChange | None:
        """`NotPermitted` when `by` may not change it (nothing is written or posted)."""
        action = Action.CHANGE_SEVERITY if field == "severity" else Action.CHANGE_STATUS
        actor = await self.guard.admit(incident_id, by, action)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, action)
            return await self.apply(session, incident_id, field, new, by)

    async def apply(
        self, session: Session, incident_id: int, field: Field, new: str, by: str
    ) -> StateChange | None:
        """Change the field in the caller's transaction; reminders follow the new cadence."""
        now = self.clock()
        row = await incidents.lock(session, incident_id)
        old: str = row.severity if field == "severity" else row.status
        if old == new:
            return None
        facts: dict[str, object] = {field: new}
        if field == "status" and new == "mitigated" and row.mitigated_at is None:
            facts["mitigated_at"] = now
        await incidents.record(session, incident_id, **facts)
        await timeline.append(
            session,
            incident_id=incident_id,
            kind=f"{field}_changed",
            author_id=by,
            text=f"{field.capitalize()} {old} → {new}",
            occurred_at=now,
            recorded_at=now,
            data={"from": old, "to": new, "by": by},
        )
        incident = await incidents.load(session, incident_id)
        await self.reminders.plan_all(session, incident)
        return StateChange(await incidents.load(session, incident_id), field, old, new, by, now)

    async def publish(self, change: StateChange) -> list[SlackFailure]:
        """Card, topic and announcement in place, a line in the room, and a broadcast
        notice when the incident is raised to the top severity."""
        incident = change.incident
        line_for = severity_changed_line if change.field == "severity" else status_changed_line
        line = line_for(self.policy, old=change.old, new=change.new, by=change.by)
        calls: list[Awaitable[object]] = [self.surfaces.refresh(incident.id)]
        if incident.channel_id:
            calls.append(self.gateway.post(incident.channel_id, line))
        raised = change.field == "severity" and is_raise_to_top(self.policy, change.old, change.new)
        if raised and self.broadcast_channel and not incident.private:
            notice = raised_to_top_notice(incident, self.policy)
            calls.append(self.gateway.post(self.broadcast_channel, notice, join_if_needed=True))
        return await fan_out(*calls)
