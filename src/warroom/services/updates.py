"""Status updates: stored with the promise they make, then shown to each audience.

Posting an update is one transaction: the update, its timeline entry, the
status it picked, the time it was posted, and the reminders re-timed to the
promised next update. Only then is it posted: in full in the war room, in
short under the broadcast announcement (whose own line then says how fresh the
news is) and, where the severity's policy asks, in the stakeholder channel.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

from warroom.domain.cadence import update_interval
from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.domain.status_update import StatusUpdate, StatusUpdateForm, validate_status_update
from warroom.services.fanout import fan_out
from warroom.services.permissions import Guard
from warroom.services.reminders import Reminders
from warroom.services.state import StateService
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.status_update import (
    status_update_modal,
    update_compact,
    update_for_room,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef, SlackGateway
from warroom.slack.message import Message
from warroom.store import incidents, status_updates, timeline
from warroom.store.engine import Store

__all__ = ["PostedUpdate", "UpdateService"]


@dataclass(frozen=True)
class PostedUpdate:
    incident: Incident
    update_id: int
    update: StatusUpdate
    by: str
    late_by_s: float | None
    """How late against the promised time, in seconds (None: nothing was due)."""


@dataclass
class UpdateService:
    store: Store
    gateway: SlackGateway
    surfaces: Surfaces
    state: StateService
    reminders: Reminders
    policy: Policy
    clock: Clock
    stakeholder_channel: str | None
    guard: Guard

    async def form(self, incident_id: int) -> dict[str, object]:
        """The modal, with the next update pre-filled one cadence from now."""
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
        every = update_interval(self.policy, incident.severity, incident.status)
        next_due = self.clock() + every if every else None
        return status_update_modal(self.policy, incident, next_due=next_due, every=every)

    def check(self, incident: Incident, form: StatusUpdateForm) -> StatusUpdate | dict[str, str]:
        every = update_interval(self.policy, incident.severity, form.status or incident.status)
        return validate_status_update(
            form,
            now=self.clock(),
            next_update_required=every is not None,
            statuses=self.policy.settable_statuses(),
        )

    async def load(self, incident_id: int) -> Incident:
        async with self.store.read() as session:
            return await incidents.load(session, incident_id)

    async def check_post(self, incident_id: int, by: str) -> None:
        """`NotPermitted` unless `by` may post updates: before the form is even opened."""
        await self.guard.admit(incident_id, by, Action.POST_UPDATE)

    async def post(self, incident_id: int, update: StatusUpdate, by: str) -> PostedUpdate:
        """`NotPermitted` when `by` may not post it (or not change the status it sets)."""
        now = self.clock()
        current = await self.load(incident_id)
        actions = [Action.POST_UPDATE]
        if update.status != current.status:
            actions.append(Action.CHANGE_STATUS)
        actor = await self.guard.admit(incident_id, by, *actions)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, *actions)
            row = await incidents.lock(session, incident_id)
            due = row.next_update_due_at
            await self.state.apply(session, incident_id, "status", update.status, by)
            update_id = await status_updates.add(
                session, incident_id, update, by=by, at=now, due_at=due
            )
            late = (now - due).total_seconds() if due is not None and now > due else None
            await timeline.append(
                session,
                incident_id=incident_id,
                kind="status_update",
                author_id=by,
                text=update.happening,
                occurred_at=now,
                recorded_at=now,
                data={
                    "update_id": update_id,
                    "status": update.status,
                    "impact": update.impact,
                    "doing": update.doing,
                    "next_update_at": update.next_update_at.isoformat()
                    if update.next_update_at
                    else None,
                    "due_at": due.isoformat() if due else None,
                    "late_by_s": late,
                },
            )
            await incidents.record(
                session, incident_id, last_update_at=now, summary=update.happening
            )
            incident = await incidents.load(session, incident_id)
            await self.reminders.plan_updates(session, incident, due=update.next_update_at)
            incident = await incidents.load(session, incident_id)
        return PostedUpdate(incident, update_id, update, by, late)

    async def publish(self, posted: PostedUpdate) -> list[SlackFailure]:
        incident = posted.incident
        room_note = update_for_room(incident, self.policy, posted.update, posted.by)
        compact = update_compact(incident, self.policy, posted.update)
        calls: list[Awaitable[object]] = [self.surfaces.refresh(incident.id)]
        if incident.channel_id:
            calls.append(self._post(posted, "room", incident.channel_id, room_note))
        if incident.announcement_channel_id and incident.announcement_ts:
            calls.append(
                self._post(
                    posted,
                    "thread",
                    incident.announcement_channel_id,
                    compact,
                    thread_ts=incident.announcement_ts,
                )
            )
        level = self.policy.severity(incident.severity)
        if self.stakeholder_channel and level.notify_stakeholders and not incident.private:
            calls.append(self._post(posted, "stakeholder", self.stakeholder_channel, compact))
        return await fan_out(*calls)

    async def _post(
        self,
        posted: PostedUpdate,
        audience: status_updates.Audience,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
    ) -> None:
        ref: MessageRef = await self.gateway.post(
            channel, message, join_if_needed=True, thread_ts=thread_ts
        )
        async with self.store.transaction() as session:
            await status_updates.shown(session, posted.update_id, audience, ref.ts)
