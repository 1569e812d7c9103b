"""Reminders that never forget: planning them as due jobs, and sending them when due.

Planning happens inside the transaction that changes the incident (declared,
severity or status changed, update posted, IC taken, resolved), so what is
due always matches what is stored. Each reminder re-checks the incident when
it runs: an update posted or an IC taken since it was planned makes it moot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.cadence import (
    COMMANDER_ESCALATE,
    COMMANDER_NAG,
    UPDATE_BROADCAST,
    UPDATE_DUE,
    UPDATE_OVERDUE,
    UPDATE_STAKEHOLDERS,
    Step,
    commander_repeat_interval,
    commander_steps,
    next_update_due,
    update_interval,
    update_repeat_interval,
    update_steps,
)
from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.scheduler.tick import JobHandler
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.reminders import (
    commander_escalation,
    commander_nag,
    late_update_notice,
    marked,
    overdue_broadcast,
    reminder_block_id,
    update_due,
    update_overdue,
)
from warroom.slack.gateway import SlackGateway
from warroom.slack.message import Message
from warroom.store import incidents, jobs, timeline
from warroom.store.engine import Session, Store
from warroom.store.jobs import Job, Planned

__all__ = ["NothingToSnooze", "Reminders"]

UPDATE_KINDS = (UPDATE_DUE, UPDATE_OVERDUE, UPDATE_BROADCAST, UPDATE_STAKEHOLDERS)
COMMANDER_KINDS = (COMMANDER_NAG, COMMANDER_ESCALATE)
RESENT_LOOKBACK = timedelta(hours=2)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class NothingToSnooze(Exception):
    """No update reminder to put off: the incident expects none, or not before then."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"{incident.reference}: nothing to snooze")
        self.incident = incident


@dataclass
class Reminders:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    broadcast_channel: str | None
    surfaces: Surfaces
    stakeholder_channel: str | None = None
    escalation_usergroup: str | None = None

    # -- planning, inside the caller's transaction ---------------------------------

    async def plan_updates(
        self, session: Session, incident: Incident, *, due: datetime | None = None
    ) -> datetime | None:
        """(Re)plan the update reminders: at `due`, or one cadence after the last update.
        Returns when the next update is due (None: no updates expected)."""
        await jobs.cancel(session, incident.id, UPDATE_KINDS)
        due, planned = self._update_plan(incident, due)
        await jobs.add_many(session, incident.id, planned, now=self.clock())
        await incidents.record(session, incident.id, next_update_due_at=due)
        return due

    async def plan_commander(self, session: Session, incident: Incident) -> None:
        """Nag and escalate while nobody holds the IC role (by the current severity).
        Each goes out once: re-planning (another role changed hands, say) leaves alone a
        step the scheduler has already taken up, which checks the IC again when it runs."""
        started = await jobs.started_kinds(session, incident.id, COMMANDER_KINDS)
        await jobs.cancel(session, incident.id, set(COMMANDER_KINDS) - started)
        planned = self._commander_plan(incident, started)
        await jobs.add_many(session, incident.id, planned, now=self.clock())

    async def plan_all(self, session: Session, incident: Incident) -> None:
        """Both plans, in one DELETE and one INSERT."""
        started = await jobs.started_kinds(session, incident.id, COMMANDER_KINDS)
        await jobs.cancel(session, incident.id, {*UPDATE_KINDS, *COMMANDER_KINDS} - started)
        due, updates = self._update_plan(incident, None)
        planned = [*updates, *self._commander_plan(incident, started)]
        await jobs.add_many(session, incident.id, planned, now=self.clock())
        await incidents.record(session, incident.id, next_update_due_at=due)

    def first_plan(
        self, *, severity: str, status: str, declared_at: datetime
    ) -> tuple[datetime | None, list[Planned]]:
        """A new incident's reminders (when its first update is due, and the jobs): it
        has no jobs and no role holders yet, so the declaration stores them with its
        own INSERTs, with nothing to cancel or look up first."""
        due = next_update_due(self.policy, severity, status, since=declared_at)
        updates = self._update_round(severity, due, since=declared_at)
        return due, [*updates, *self._commander_round(severity, declared_at)]

    def _update_plan(
        self, incident: Incident, due: datetime | None
    ) -> tuple[datetime | None, list[Planned]]:
        since = incident.last_update_at or incident.declared_at
        if due is None:
            due = next_update_due(self.policy, incident.severity, incident.status, since=since)
        elif update_interval(self.policy, incident.severity, incident.status) is None:
            due = None
        return due, self._update_round(incident.severity, due, since=since)

    def _update_round(
        self,
        severity: str,
        starts: datetime | None,
        *,
        since: datetime,
        promised: str | None = None,
        number: int = 0,
    ) -> list[Planned]:
        """One run of the late-update ladder from `starts` (due, overdue, broadcast).
        Its last step plans the next run if the silence since `since` goes on."""
        if starts is None:
            return []
        payload = {
            "since": _iso(since),
            "due": promised or _iso(starts),
            "round_due": _iso(starts),
            "round": number,
        }
        return _ladder(update_steps(self.policy, severity, starts), payload)

    def _commander_plan(self, incident: Incident, started: set[str]) -> list[Planned]:
        if incident.holder(self.policy.commander_role.key) is not None:
            return []
        planned = self._commander_round(incident.severity, incident.declared_at)
        return [job for job in planned if job[0] not in started]

    def _commander_round(self, severity: str, base: datetime, number: int = 0) -> list[Planned]:
        """The nag and the escalation, timed from `base` (the declaration, then one
        repeat interval later for each run); a step overdue already goes out now."""
        now = self.clock()
        steps = commander_steps(self.policy, severity, declared_at=base)
        planned = _ladder(steps, {"base": _iso(base), "round": number})
        return [(kind, max(at, now), payload) for kind, at, payload in planned]

    def _next_update_round(self, job: Job, incident: Incident) -> list[Planned]:
        if not job.payload.get("last"):
            return []
        every = update_repeat_interval(self.policy, incident.severity, incident.status)
        if every is None:
            return []
        starts = max(datetime.fromisoformat(job.payload["round_due"]) + every, self.clock())
        return self._update_round(
            incident.severity,
            starts,
            since=datetime.fromisoformat(job.payload["since"]),
            promised=job.payload["due"],
            number=int(job.payload.get("round", 0)) + 1,
        )

    def _next_commander_round(self, job: Job, incident: Incident) -> list[Planned]:
        if not job.payload.get("last"):
            return []
        every = commander_repeat_interval(self.policy, incident.severity, incident.status)
        if every is None:
            return []
        base = datetime.fromisoformat(job.payload["base"]) + every
        return self._commander_round(
            incident.severity, base, number=int(job.payload.get("round", 0)) + 1
        )

    async def stop(self, session: Session, incident_id: int) -> None:
        await jobs.cancel(session, incident_id, (*UPDATE_KINDS, *COMMANDER_KINDS))
        await incidents.record(session, incident_id, next_update_due_at=None)

    async def snooze(self, incident_id: int, minutes: int, by: str) -> Incident:
        """Put the next update off to `minutes` from now. Only ever later: a button on
        an old reminder must not pull forward an update promised for later, nor wake
        the reminders of an incident that expects none (resolved, or no cadence)."""
        now = self.clock()
        wanted = now + timedelta(minutes=minutes)
        async with self.store.transaction() as session:
            incident = await incidents.lock(session, incident_id)
            promised = incident.next_update_due_at
            if incident.resolved_at is not None or promised is None or promised >= wanted:
                raise NothingToSnooze(incident)
            due = await self.plan_updates(session, incident, due=wanted)
            await timeline.append(
                session,
                incident_id=incident_id,
                kind="reminder_snoozed",
                author_id=by,
                text=f"Status update reminder snoozed for {minutes} min",
                occurred_at=now,
                recorded_at=now,
                data={"minutes": minutes, "due": _iso(due) if due else None},
            )
            return await incidents.load(session, incident_id)

    # -- sending, from the scheduler ----------------------------------------------

    def handlers(self) -> Mapping[str, JobHandler]:
        return {
            UPDATE_DUE: self._update_due,
            UPDATE_OVERDUE: self._update_overdue,
            UPDATE_BROADCAST: self._update_broadcast,
            UPDATE_STAKEHOLDERS: self._update_stakeholders,
            COMMANDER_NAG: self._commander_nag,
            COMMANDER_ESCALATE: self._commander_escalate,
        }

    async def _current(self, job: Job) -> Incident | None:
        """The incident if this reminder still applies to it."""
        assert job.incident_id is not None
        async with self.store.read() as session:
            incident = await incidents.load(session, job.incident_id)
        if incident.resolved_at is not None or incident.channel_id is None:
            return None
        if job.kind in COMMANDER_KINDS:
            held = incident.holder(self.policy.commander_role.key) is not None
            return None if held else incident
        since = incident.last_update_at or incident.declared_at
        return incident if job.payload.get("since") == _iso(since) else None

    def _responsible(self, incident: Incident, *roles: str) -> str:
        for role in roles:
            holder = incident.holder(role)
            if holder:
                return holder
        return incident.reporter_id

    async def _send(
        self, job: Job, incident: Incident, channel: str, message: Message, *, join: bool = False
    ) -> None:
        """Post the reminder and log it, once: a job taken up again after its first run
        died (or failed after Slack may have acted) first looks for what went out."""
        resumed = job.attempts > 1
        sent = None
        if resumed:
            since = self.clock() - RESENT_LOOKBACK
            marker = reminder_block_id(job.id)
            sent = await self.gateway.find_own_message(channel, marker, since=since)
        if sent is None:
            await self.gateway.post(channel, marked(message, job.id), join_if_needed=join)
        now = self.clock()
        async with self.store.transaction() as session:
            if resumed and await timeline.reminder_logged(session, incident.id, job.id):
                return
            await timeline.append(
                session,
                incident_id=incident.id,
                kind="reminder",
                author_id=None,
                text=message.text,
                occurred_at=now,
                recorded_at=now,
                data={"job": job.kind, "job_id": job.id, "channel": channel},
            )

    async def _update_due(self, job: Job) -> list[Planned]:
        incident = await self._current(job)
        if incident is None:
            return []
        silent = None
        if job.payload.get("round"):
            silent = self.clock() - datetime.fromisoformat(job.payload["since"])
        else:  # the card and announcement now say the update is late
            await self.surfaces.refresh(incident.id, topic=False)
        if incident.channel_id is not None:
            who = self._responsible(incident, "comms_lead", self.policy.commander_role.key)
            every = update_interval(self.policy, incident.severity, incident.status)
            note = update_due(incident, who, every=every, silent_for=silent)
            await self._send(job, incident, incident.channel_id, note)
        return self._next_update_round(job, incident)

    async def _update_overdue(self, job: Job) -> list[Planned]:
        incident = await self._current(job)
        if incident is None:
            return []
        if incident.channel_id is not None:
            who = self._responsible(incident, self.policy.commander_role.key, "comms_lead")
            since = datetime.fromisoformat(job.payload["since"])
            note = update_overdue(incident, who, silent_since=since, now=self.clock())
            await self._send(job, incident, incident.channel_id, note)
        return self._next_update_round(job, incident)

    async def _update_broadcast(self, job: Job) -> list[Planned]:
        incident = await self._current(job)
        if incident is None:
            return []
        if not incident.private and self.broadcast_channel is not None:
            since = datetime.fromisoformat(job.payload["since"])
            note = overdue_broadcast(incident, silent_since=since, now=self.clock())
            await self._send(job, incident, self.broadcast_channel, note, join=True)
        return self._next_update_round(job, incident)

    async def _update_stakeholders(self, job: Job) -> list[Planned]:
        incident = await self._current(job)
        if incident is None:
            return []
        told = self.policy.severity(incident.severity).notify_stakeholders
        if self.stakeholder_channel and told and not incident.private:
            since = datetime.fromisoformat(job.payload["since"])
            note = late_update_notice(incident, silent_since=since, now=self.clock())
            await self._send(job, incident, self.stakeholder_channel, note, join=True)
        return self._next_update_round(job, incident)

    async def _commander_nag(self, job: Job) -> list[Planned]:
        incident = await self._current(job)
        if incident is None:
            return []
        if incident.channel_id is not None:
            note = commander_nag(incident, self.policy, now=self.clock())
            await self._send(job, incident, incident.channel_id, note)
        return self._next_commander_round(job, incident)

    async def _commander_escalate(self, job: Job) -> list[Planned]:
        incident = await self._current(job)
        if incident is None:
            return []
        note = commander_escalation(
            incident, self.policy, now=self.clock(), usergroup=self.escalation_usergroup
        )
        target = self.broadcast_channel if not incident.private else None
        target = target or incident.channel_id
        if target is not None:
            await self._send(job, incident, target, note, join=target == self.broadcast_channel)
        return self._next_commander_round(job, incident)


def _ladder(steps: list[Step], payload: dict[str, Any]) -> list[Planned]:
    """The steps as jobs sharing `payload`; the last is marked as the one that plans
    the next run."""
    last = len(steps) - 1
    return [
        (step.kind, step.at, {**payload, "last": True} if n == last else dict(payload))
        for n, step in enumerate(steps)
    ]
