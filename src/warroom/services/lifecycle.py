"""Resolving, reopening and closing an incident.

Resolving stores the resolution, stops every reminder and queues the
postmortem draft as a due job in the same transaction, so a crash right after
cannot lose the draft. Closing is refused while action items are still open:
each must be done, or declined with a reason.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.services.action_items import POSTMORTEM_OPEN, plan_postmortem_reminder
from warroom.services.fanout import fan_out
from warroom.services.permissions import Guard
from warroom.services.reminders import Reminders
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.lifecycle import (
    closed_line,
    closed_notice,
    reopened_line,
    resolved_line,
    resolved_notice,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import action_items, incidents, jobs, timeline
from warroom.store.engine import Session, Store
from warroom.store.jobs import Job

__all__ = [
    "ARCHIVE_ROOM",
    "POSTMORTEM_DRAFT",
    "SUPERSEDE",
    "LifecycleChange",
    "LifecycleService",
    "Refused",
    "plan_archive",
]

POSTMORTEM_DRAFT = "postmortem_draft"
SUPERSEDE = "supersede"
"""A draft job's payload flag: the last draft quoted a message since deleted, so it is
taken out of Slack once the new one is up."""
ARCHIVE_ROOM = "archive_room"
CLOSE_REASON_MAX = 500
Kind = Literal["resolved", "reopened", "closed"]


async def plan_archive(session: Session, incident_id: int, policy: Policy, now: datetime) -> None:
    """Archive the war room of an incident closed `now`, if the policy says so."""
    if policy.archive_after_close is not None:
        archive_at = now + policy.archive_after_close
        await jobs.put(session, ARCHIVE_ROOM, incident_id=incident_id, due_at=archive_at, now=now)


class Refused(Exception):
    """The change does not apply now; the message says why, for the person who asked."""


@dataclass(frozen=True)
class LifecycleChange:
    incident: Incident
    kind: Kind
    by: str
    at: datetime
    without_postmortem: str | None = None
    """Why it closed with no postmortem (a severity that does not require one)."""


@dataclass
class LifecycleService:
    store: Store
    gateway: SlackGateway
    surfaces: Surfaces
    reminders: Reminders
    policy: Policy
    clock: Clock
    broadcast_channel: str | None
    guard: Guard

    async def check_resolve(self, incident_id: int, by: str) -> None:
        """`NotPermitted` unless `by` may resolve it: before the form is even opened."""
        await self.guard.admit(incident_id, by, Action.RESOLVE)

    async def resolve(
        self, incident_id: int, resolution: str, root_cause: str | None, by: str
    ) -> LifecycleChange:
        now = self.clock()
        actor = await self.guard.admit(incident_id, by, Action.RESOLVE)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, Action.RESOLVE)
            row = await incidents.lock(session, incident_id)
            if row.resolved_at is not None:
                raise Refused(f"INC-{row.number} is already resolved.")
            await incidents.record(
                session,
                incident_id,
                status="resolved",
                resolved_at=now,
                summary=resolution,
                root_cause=root_cause,
            )
            await self._entry(session, incident_id, "resolved", by, now, resolution, root_cause)
            await self.reminders.stop(session, incident_id)
            incident = await incidents.load(session, incident_id)
            if self.policy.severity(incident.severity).postmortem_required:
                await jobs.put(
                    session, POSTMORTEM_DRAFT, incident_id=incident_id, due_at=now, now=now
                )
                await plan_postmortem_reminder(session, incident, now, policy=self.policy)
        return LifecycleChange(incident, "resolved", by, now)

    async def reopen(self, incident_id: int, by: str) -> LifecycleChange:
        """Back to investigating, from resolved or from closed (a closed war room is kept)."""
        now = self.clock()
        actor = await self.guard.admit(incident_id, by, Action.REOPEN)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, Action.REOPEN)
            row = await incidents.lock(session, incident_id)
            if row.resolved_at is None:
                raise Refused(f"INC-{row.number} is not resolved, so there is nothing to reopen.")
            await incidents.record(
                session,
                incident_id,
                status="investigating",
                resolved_at=None,
                closed_at=None,
                cancelled_at=None,
                cancel_reason=None,
                duplicate_of=None,
            )
            await self._entry(session, incident_id, "reopened", by, now)
            await jobs.cancel(
                session, incident_id, [POSTMORTEM_DRAFT, POSTMORTEM_OPEN, ARCHIVE_ROOM]
            )
            incident = await incidents.load(session, incident_id)
            await self.reminders.plan_all(session, incident)
            incident = await incidents.load(session, incident_id)
        return LifecycleChange(incident, "reopened", by, now)

    async def close(self, incident_id: int, by: str, reason: str = "") -> LifecycleChange:
        """Closing means the postmortem is done: it needs a draft, except for a
        severity the policy lets close without one, and then only with a reason."""
        now = self.clock()
        actor = await self.guard.admit(incident_id, by, Action.CLOSE)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, Action.CLOSE)
            row = await incidents.lock(session, incident_id)
            if row.closed_at is not None:
                raise Refused(f"INC-{row.number} is already closed.")
            if row.resolved_at is None:
                raise Refused(f"Resolve INC-{row.number} before closing it.")
            still_open = (await action_items.counts(session, incident_id)).open
            if still_open:
                raise Refused(
                    f"INC-{row.number} has {still_open} open action item(s). Mark each done, "
                    "or won't do with a reason (`/incident actions`), then close."
                )
            without = None
            if not await timeline.postmortem_drafted(session, incident_id):
                without = self._why_no_postmortem(row, reason.strip())
            await incidents.record(session, incident_id, status="closed", closed_at=now)
            text = f"Closed without a postmortem: {without}" if without else ""
            await self._entry(session, incident_id, "closed", by, now, text)
            await plan_archive(session, incident_id, self.policy, now)
            incident = await incidents.load(session, incident_id)
        return LifecycleChange(incident, "closed", by, now, without_postmortem=without)

    def _why_no_postmortem(self, incident: Incident, reason: str) -> str:
        level = self.policy.severity(incident.severity)
        if level.postmortem_required:
            raise Refused(
                f"{incident.reference} is {level.key}, which needs its postmortem before it "
                "closes. `/incident postmortem` drafts it in the room; press *Complete "
                "postmortem & close* on the draft once it is done."
            )
        if not reason:
            raise Refused(
                f"{incident.reference} has no postmortem ({level.key} does not need one): "
                "say why it can close without one, e.g. `/incident close known issue, "
                "tracked in OPS-123`."
            )
        return reason[:CLOSE_REASON_MAX]

    async def archive_room(self, job: Job) -> None:
        """Due job: archive a closed incident's war room (kept if it was reopened since)."""
        assert job.incident_id is not None
        async with self.store.read() as session:
            incident = await incidents.load(session, job.incident_id)
        if incident.closed_at is None or incident.channel_id is None:
            return
        await self.gateway.archive(incident.channel_id)
        now = self.clock()
        async with self.store.transaction() as session:
            await self._entry(session, incident.id, "archived", None, now, "War room archived")

    async def _entry(
        self,
        session: Session,
        incident_id: int,
        kind: str,
        by: str | None,
        now: datetime,
        text: str = "",
        root_cause: str | None = None,
    ) -> None:
        await timeline.append(
            session,
            incident_id=incident_id,
            kind=kind,
            author_id=by,
            text=text or kind.capitalize(),
            occurred_at=now,
            recorded_at=now,
            data={"root_cause": root_cause} if root_cause else {},
        )

    async def publish(self, change: LifecycleChange) -> list[SlackFailure]:
        incident = change.incident
        if change.kind == "closed":
            line = closed_line(incident, change.by, without_postmortem=change.without_postmortem)
        elif change.kind == "resolved":
            needed = self.policy.severity(incident.severity).postmortem_required
            line = resolved_line(incident, change.by, postmortem_required=needed)
        else:
            line = {"resolved": resolved_line, "reopened": reopened_line}[change.kind](
                incident, change.by
            )
        calls: list[Awaitable[object]] = [self.surfaces.refresh(incident.id)]
        if incident.channel_id:
            calls.append(self.gateway.post(incident.channel_id, line))
        if self.broadcast_channel and not incident.private and change.kind != "reopened":
            notice = (
                resolved_notice(incident)
                if change.kind == "resolved"
                else closed_notice(incident, without_postmortem=change.without_postmortem)
            )
            calls.append(self.gateway.post(self.broadcast_channel, notice, join_if_needed=True))
        return await fan_out(*calls)
