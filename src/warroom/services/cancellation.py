"""Ending an incident that should not go on: a false alarm, or a duplicate of another.

A cancelled incident is resolved and closed at once, with `cancelled_at` and the
reason kept: every reminder stops, no postmortem is drafted or chased, and the
room is archived as after a close. A duplicate also points both rooms at each
other, without naming a private incident to people who may not see it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.services.action_items import POSTMORTEM_OPEN
from warroom.services.audience import Audience
from warroom.services.fanout import fan_out
from warroom.services.lifecycle import POSTMORTEM_DRAFT, Refused, plan_archive
from warroom.services.permissions import Guard
from warroom.services.reminders import Reminders
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.cancellation import (
    REASON_MAX,
    cancelled_line,
    cancelled_notice,
    duplicate_linked_line,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import incidents, jobs, timeline
from warroom.store.engine import Store

__all__ = ["CancelService", "Cancellation"]


@dataclass(frozen=True)
class Cancellation:
    incident: Incident
    original: Incident | None
    """The incident this one duplicated, if that is why it ended."""
    by: str
    at: datetime


@dataclass
class CancelService:
    store: Store
    gateway: SlackGateway
    surfaces: Surfaces
    reminders: Reminders
    audience: Audience
    policy: Policy
    clock: Clock
    broadcast_channel: str | None
    guard: Guard

    async def cancel(self, incident_id: int, reason: str, by: str) -> Cancellation:
        reason = reason.strip()
        if not reason:
            raise Refused(
                "Say why it is cancelled, e.g. `/incident cancel false alarm: the probe was "
                "misconfigured`. For a duplicate, use `/incident duplicate INC-12`."
            )
        return await self._end(incident_id, reason[:REASON_MAX], by, original=None)

    async def duplicate(self, incident_id: int, of_number: int, by: str) -> Cancellation:
        """End this incident as a duplicate of the workspace's INC-`of_number`."""
        async with self.store.read() as session:
            this = await incidents.load(session, incident_id)
            original = await incidents.find_by_number(session, this.team_id, of_number)
        if original is None or not await self.audience.may_see(by, original):
            raise Refused(f"There is no INC-{of_number} that you can see.")
        if original.id == this.id:
            raise Refused(f"{this.reference} cannot be a duplicate of itself.")
        if original.cancelled_at is not None:
            raise Refused(
                f"{original.reference} was cancelled itself; name the incident that goes on."
            )
        return await self._end(
            incident_id, f"Duplicate of {original.reference}", by, original=original
        )

    async def _end(
        self, incident_id: int, reason: str, by: str, *, original: Incident | None
    ) -> Cancellation:
        now = self.clock()
        actor = await self.guard.admit(incident_id, by, Action.RESOLVE)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, Action.RESOLVE)
            row = await incidents.lock(session, incident_id)
            if row.cancelled_at is not None:
                raise Refused(f"{row.reference} is already cancelled.")
            if row.resolved_at is not None:
                raise Refused(
                    f"{row.reference} is resolved, so it happened: close it once its "
                    "postmortem is done (`/incident close`)."
                )
            await incidents.record(
                session,
                incident_id,
                status="closed",
                resolved_at=now,
                closed_at=now,
                cancelled_at=now,
                cancel_reason=reason,
                duplicate_of=original.id if original else None,
            )
            await self.reminders.stop(session, incident_id)
            await jobs.cancel(session, incident_id, [POSTMORTEM_DRAFT, POSTMORTEM_OPEN])
            await timeline.append(
                session,
                incident_id=incident_id,
                kind="cancelled",
                author_id=by,
                text=reason,
                occurred_at=now,
                recorded_at=now,
                data={"duplicate_of": original.reference} if original else {},
            )
            if original is not None:
                await timeline.append(
                    session,
                    incident_id=original.id,
                    kind="duplicate_linked",
                    author_id=by,
                    text=duplicate_linked_line(row, original).text,
                    occurred_at=now,
                    recorded_at=now,
                    data={"duplicate": row.reference},
                )
            await plan_archive(session, incident_id, self.policy, now)
            incident = await incidents.load(session, incident_id)
        return Cancellation(incident, original, by, now)

    async def publish(self, ended: Cancellation) -> list[SlackFailure]:
        incident, original = ended.incident, ended.original
        calls: list[Awaitable[object]] = [self.surfaces.refresh(incident.id)]
        if incident.channel_id:
            line = cancelled_line(incident, ended.by, original)
            calls.append(self.gateway.post(incident.channel_id, line))
        if original is not None and original.channel_id:
            link = duplicate_linked_line(incident, original)
            calls.append(self.gateway.post(original.channel_id, link))
        if self.broadcast_channel and not incident.private:
            notice = cancelled_notice(incident, original)
            calls.append(self.gateway.post(self.broadcast_channel, notice, join_if_needed=True))
        return await fan_out(*calls)
