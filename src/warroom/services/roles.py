"""Taking, assigning and handing off incident roles.

One holder per role at a time. Taking only works on a free role, so when two
people press "Take IC" together exactly one gets it and the other is told who
did; handing a held role to someone else goes through `assign`. Every change
is stored with who and when before anyone is told about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.domain.changes import resolve_role
from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy, RoleDef
from warroom.services.audience import Audience
from warroom.services.fanout import fan_out
from warroom.services.permissions import Guard
from warroom.services.reminders import Reminders
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.changes import role_changed_line
from warroom.slack.blocks.duties import duties_dm
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import incidents, roles, timeline
from warroom.store.engine import Conflict, Store

__all__ = ["RoleChange", "RoleHeld", "RoleService"]


@dataclass(frozen=True)
class RoleChange:
    incident: Incident
    role: RoleDef
    user_id: str
    previous_id: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class RoleHeld:
    """Refused: `holder` has the role already (possibly the asker)."""

    incident: Incident
    role: RoleDef
    holder: str


@dataclass
class RoleService:
    store: Store
    gateway: SlackGateway
    surfaces: Surfaces
    policy: Policy
    clock: Clock
    reminders: Reminders
    guard: Guard
    audience: Audience

    async def take(self, incident_id: int, role_text: str, user_id: str) -> RoleChange | RoleHeld:
        return await self._change(incident_id, role_text, user_id, by=user_id, free_only=True)

    async def assign(
        self, incident_id: int, role_text: str, user_id: str, *, by: str
    ) -> RoleChange | RoleHeld:
        return await self._change(incident_id, role_text, user_id, by=by, free_only=False)

    async def _change(
        self, incident_id: int, role_text: str, user_id: str, *, by: str, free_only: bool
    ) -> RoleChange | RoleHeld:
        role = resolve_role(self.policy, role_text)
        action = Action.TAKE_ROLE if user_id == by else Action.ASSIGN_ROLE_TO_OTHER
        actor = await self.guard.admit(incident_id, by, action)
        now = self.clock()
        try:
            async with self.store.transaction() as session:
                await self.guard.hold(session, incident_id, actor, action)
                row = await incidents.lock(session, incident_id)
                holder = await roles.current_holder(session, incident_id, role.key)
                if holder == user_id or (free_only and holder is not None):
                    return RoleHeld(await incidents.load(session, incident_id), role, holder)
                await roles.hand_to(session, incident_id, role.key, user_id=user_id, by=by, now=now)
                if role.key == self.policy.commander_role.key and row.acknowledged_at is None:
                    await incidents.record(session, incident_id, acknowledged_at=now)
                await timeline.append(
                    session,
                    incident_id=incident_id,
                    kind="role_changed",
                    author_id=by,
                    text=f"{role.name}: <@{user_id}>",
                    occurred_at=now,
                    recorded_at=now,
                    data={
                        "role": role.key,
                        "user": user_id,
                        "previous": holder,
                        "by": by,
                        "slack_format": True,
                    },
                )
                incident = await incidents.load(session, incident_id)
                if role.key == self.policy.commander_role.key:
                    await self.reminders.plan_commander(session, incident)
        except Conflict:
            async with self.store.read() as session:
                holder = await roles.current_holder(session, incident_id, role.key)
                incident = await incidents.load(session, incident_id)
            return RoleHeld(incident, role, holder or user_id)
        return RoleChange(incident, role, user_id, holder, by, now)

    async def _in_room(self, incident: Incident, user_id: str) -> bool:
        try:
            return await self.audience.in_room(incident, user_id)
        except SlackFailure:
            return False  # an invite of someone already in is harmless

    async def _send_duties(self, change: RoleChange) -> None:
        """The duties by DM (Warroom's Messages tab), where the holder can read them again;
        if Slack will not deliver a DM, privately in the room instead."""
        note = duties_dm(change.role, change.incident, user_id=change.user_id, by=change.by)
        try:
            await self.gateway.dm(change.user_id, note)
        except SlackFailure:
            if change.incident.channel_id is None:
                raise
            await self.gateway.whisper(change.incident.channel_id, change.user_id, note)

    async def publish(self, change: RoleChange) -> list[SlackFailure]:
        """Card, topic (IC), a line in the room, and the new holder's duties by DM, together."""
        incident, room = change.incident, change.incident.channel_id
        if room is None:
            return []
        is_commander = change.role.key == self.policy.commander_role.key
        refused: list[SlackFailure] = []
        if change.by != change.user_id or not await self._in_room(incident, change.user_id):
            # Taken from outside (the broadcast channel's "no IC" escalation): bring them in.
            refused = await fan_out(self.gateway.invite(room, [change.user_id]))
        line = role_changed_line(
            change.role, user_id=change.user_id, previous_id=change.previous_id, by=change.by
        )
        return refused + await fan_out(
            self.surfaces.refresh(incident.id, topic=is_commander, announcement_too=is_commander),
            self.gateway.post(room, line),
            self._send_duties(change),
        )
