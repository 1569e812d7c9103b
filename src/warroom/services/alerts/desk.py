"""The alert desk: stored notifications into their groups, routed, each Slack side a job.

See the package's docstring for the whole flow.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.alert_routing import DEFAULT_ROUTE, route_for
from warroom.domain.alerts import (
    DECLARING,
    DISMISSED,
    FIRING,
    IN_INCIDENT,
    PROPOSED,
    AlertGroup,
    Notification,
    combine,
)
from warroom.domain.clock import Clock
from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident
from warroom.domain.policy import AlertRoute, Policy
from warroom.domain.similarity import Candidate, most_similar
from warroom.services.alerts.wording import (
    AlertProblem,
    DeclareDraft,
    append_line,
    draft_of,
    route_facts,
    settled_reason,
    template_context,
)
from warroom.services.declare import DeclareService
from warroom.slack.blocks.alerts import (
    alert_card,
    alert_card_block_id,
    alerts_attached_note,
    alerts_declared_note,
    alerts_resolved_note,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef, SlackGateway
from warroom.store import alerts, incidents, jobs
from warroom.store.engine import Session, Store
from warroom.store.jobs import Job, Planned

__all__ = [
    "ALERTS_RESOLVED",
    "ALERT_CARD",
    "DECLARE_FROM_ALERTS",
    "PROCESS_ALERTS",
    "SWEEP_AFTER",
    "AlertDesk",
]

log = logging.getLogger(__name__)

PROCESS_ALERTS = "process_alerts"
SWEEP_AFTER = timedelta(seconds=10)
"""The safety net: notifications stored by a process that died before it handled
them are handled this long after they came, by whichever replica runs the job."""
ALERT_CARD = "alert_card"
DECLARE_FROM_ALERTS = "declare_from_alerts"
ALERTS_RESOLVED = "alerts_resolved"
CARD_REFRESH = timedelta(seconds=3)
"""A card already posted is updated at most this often: a storm is one edit."""
BATCH = 200
"""Notifications taken in one transaction."""
GATHER_S = 0.1
ATTACHABLE = 25
"""Open public incidents a triage card offers to attach to (newest first)."""


@dataclass
class AlertDesk:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    declare: DeclareService
    broadcast_channel: str | None
    gather_s: float = GATHER_S
    _working: asyncio.Task[None] | None = field(default=None, init=False)
    _again: bool = field(default=False, init=False)
    _team_id: str | None = field(default=None, init=False)

    def handlers(self) -> dict[str, Any]:
        return {
            PROCESS_ALERTS: self.on_process_job,
            ALERT_CARD: self.on_card_job,
            DECLARE_FROM_ALERTS: self.on_declare_job,
            ALERTS_RESOLVED: self.on_resolved_job,
        }

    def wake(self) -> None:
        """Process what waits, now, in this process; a burst is a few batches."""
        if self._working is not None and not self._working.done():
            self._again = True
            return
        self._working = asyncio.get_running_loop().create_task(self._work(), name="alerts")

    async def idle(self) -> None:
        """Return once what was woken is processed (the runtime's close waits for it)."""
        while self._working is not None and not self._working.done():
            await asyncio.shield(self._working)

    async def _work(self) -> None:
        """Let a burst gather first (`GATHER_S`): one batch of a storm is a few writes per
        group, where taking each notification as it came was a few writes per notification."""
        done = 0
        while True:
            if done < BATCH:  # a full batch means more waits already: no need to gather
                await asyncio.sleep(self.gather_s)
            self._again = False
            try:
                done = await self.process()
            except Exception:
                log.exception("processing alerts failed; the process_alerts job will retry")
                return
            if done < BATCH and not self._again:
                return

    async def on_process_job(self, job: Job) -> None:
        while await self.process() == BATCH:
            pass

    async def process(self) -> int:
        """Handle up to BATCH waiting notifications in one transaction; how many. The
        notifications of one group are taken together: a storm is a few writes per group.

        Taking a notification twice (two replicas reading the same waiting ones) changes
        nothing the second time: alerts are merged by fingerprint and start."""
        async with self.store.read() as session:
            receipts = await alerts.waiting_receipts(session, limit=BATCH)
        if not receipts:
            return 0
        now = self.clock()
        plans: dict[tuple[str, int], Planned] = {}
        async with self.store.transaction() as session:
            taken = combine([r.notification for r in receipts])
            # Groups are locked in one order everywhere, so replicas never deadlock.
            for notification in sorted(taken, key=lambda n: (n.source, n.group_key)):
                await self._take(session, notification, now, plans)
            await alerts.mark_processed(session, [r.id for r in receipts], now=now)
            await self._plan(session, plans.values(), now)
        if len(receipts) > 1:
            log.info("processed %d alert notifications", len(receipts))
        return len(receipts)

    async def _plan(self, session: Session, planned: Iterable[Planned], now: datetime) -> None:
        unique: dict[str, list[tuple[dict[str, Any], datetime]]] = {}
        for kind, due_at, payload in planned:
            if kind == ALERTS_RESOLVED:
                await jobs.put(
                    session, kind, incident_id=payload["incident_id"], due_at=due_at, now=now
                )
            else:
                unique.setdefault(kind, []).append((payload, due_at))
        for kind, payloads in unique.items():
            await jobs.plan_unique_many(session, kind, payloads, now=now)

    async def _take(
        self,
        session: Session,
        notification: Notification,
        now: datetime,
        plans: dict[tuple[str, int], Planned],
    ) -> None:
        started = min((a.starts_at for a in notification.alerts), default=now)
        group = await alerts.lock_group(session, notification, started_at=started, now=now)
        incident_open = group.incident_id is not None and await alerts.open_incident_of(
            session, group.incident_id
        )
        settled = group.state == DISMISSED or (group.state == IN_INCIDENT and not incident_open)
        quiet_before = settled and await alerts.firing_count(session, group.id) == 0
        merged = await alerts.merge_alerts(session, group.id, notification.alerts, now=now)
        if not merged.fired and not merged.resolved:
            return
        facts: dict[str, Any] = {"updated_at": now}
        if notification.common_labels:
            facts["labels"] = dict(notification.common_labels)
            facts["annotations"] = dict(notification.common_annotations)
        earliest = min((a.starts_at for a in merged.fired), default=group.first_started_at)
        if earliest < group.first_started_at:
            facts["first_started_at"] = earliest
        if merged.fired and quiet_before:
            facts |= {
                "cycle": group.cycle + 1,
                "incident_id": None,
                "proposal_channel": None,
                "proposal_ts": None,
                "decided_by": None,
                "first_started_at": earliest,
            }
            group = replace(
                group, state=None, incident_id=None, proposal_channel=None, proposal_ts=None
            )
        if group.state is None and not incident_open:
            route = route_for(self.policy.alert_routes, *route_facts(group, notification))
            state = DECLARING if route.action == "declare" else PROPOSED
            facts |= {"route": route.name, "state": state}
            group = replace(group, route=route.name, state=state)
            if state == DECLARING:
                plans[(DECLARE_FROM_ALERTS, group.id)] = (
                    DECLARE_FROM_ALERTS,
                    now,
                    {"group_id": group.id},
                )
        await alerts.save_group(session, group.id, **facts)
        if incident_open:
            assert group.incident_id is not None
            await self._on_timeline(session, group.incident_id, notification.source, merged, now)
            if merged.resolved:
                plans[(ALERTS_RESOLVED, group.incident_id)] = (
                    ALERTS_RESOLVED,
                    now,
                    {"incident_id": group.incident_id},
                )
        elif group.state != DECLARING:
            due = now if group.proposal_ts is None else now + CARD_REFRESH
            plans.setdefault((ALERT_CARD, group.id), (ALERT_CARD, due, {"group_id": group.id}))

    async def _on_timeline(
        self, session: Session, incident_id: int, source: str, merged: alerts.Merged, now: datetime
    ) -> None:
        for alert in merged.fired:
            await append_line(session, incident_id, source, alert, alert.starts_at, now)
        for alert in merged.resolved:
            await append_line(session, incident_id, source, alert, alert.ends_at or now, now)

    # -- jobs ---------------------------------------------------------------------------

    def _route(self, name: str | None) -> AlertRoute:
        for route in self.policy.alert_routes:
            if route.name == name:
                return route
        return DEFAULT_ROUTE

    async def team_id(self) -> str:
        if self._team_id is None:
            data = await self.gateway.auth_test()
            self._team_id = str(data.get("team_id") or "")
        return self._team_id

    async def on_declare_job(self, job: Job) -> None:
        group_id = int(job.payload["group_id"])
        async with self.store.read() as session:
            group = await alerts.load_group(session, group_id)
        if group.incident_id is not None or group.state != DECLARING:
            return
        route = self._route(group.route)
        same = await self._open_incident_alerting_alike(group)
        if same is not None:
            await self.link(group.id, same, by=None)
            if same.channel_id is not None:
                async with self.store.read() as session:
                    group = await alerts.load_group(session, group_id)
                await self.gateway.post(same.channel_id, alerts_attached_note(group, None))
            return
        drafted = draft_of(group, route)
        fallback = template_context(group).fallback
        responders = list(route.responders)
        if route.usergroup:
            try:
                responders += sorted(await self.gateway.usergroup_members(route.usergroup))
            except SlackFailure as failure:
                log.warning("alert route %s: user group not read: %s", route.name, failure.error)
        declaration = Declaration(
            title=drafted.title,
            severity=route.severity or self.policy.severity_keys()[0],
            impact=drafted.impact or f"{group.firing} alert(s) firing: {fallback}",
            started_at=group.first_started_at,
            private=route.private,
            responders=tuple(dict.fromkeys(responders)),
        )
        me = await self.gateway.identity()
        incident = await self.declare.record(
            team_id=await self.team_id(),
            reporter_id=me.user_id,
            declaration=declaration,
            declare_key=f"alerts:{group.id}:{group.cycle}",
        )
        await self.link(group.id, incident, by=None)
        await self.declare.provision(incident.id, response_url=None)
        async with self.store.read() as session:
            room = (await incidents.load(session, incident.id)).channel_id
            group = await alerts.load_group(session, group_id)
        if room is not None and not incident.provisioned_at:
            await self.gateway.post(room, alerts_declared_note(group, route))

    async def _open_incident_alerting_alike(self, group: AlertGroup) -> Incident | None:
        """An open incident whose own alerts are the same problem (same alertname, and the
        same service where both name one): a second group for it joins it rather than
        declaring a duplicate."""
        async with self.store.read() as session:
            open_now = await incidents.open_in_team(session, await self.team_id(), limit=100)
            labels = await alerts.labels_by_incident(session, [i.id for i in open_now])
        alike = most_similar(Candidate("", labels=dict(group.labels)), open_now, labels=labels)
        return alike[0].incident if alike else None

    async def link(
        self, group_id: int, incident: Incident, *, by: str | None, unless_taken: bool = False
    ) -> None:
        """Put the group's alerts on the incident's timeline and keep them there; the
        incident started when its first alert did. With `unless_taken` (a person declared
        from the group's card), not if the group found an incident meanwhile."""
        now = self.clock()
        async with self.store.transaction() as session:
            group = await alerts.load_group(session, group_id, every=True, lock=True)
            if group.incident_id == incident.id:
                return
            if unless_taken and group.incident_id is not None:
                return
            await alerts.save_group(
                session,
                group_id,
                incident_id=incident.id,
                state=IN_INCIDENT,
                decided_by=by,
                updated_at=now,
            )
            for alert in sorted(group.alerts, key=lambda a: a.starts_at):
                await append_line(session, incident.id, group.source, alert, alert.starts_at, now)
                if alert.status != FIRING:
                    await append_line(
                        session, incident.id, group.source, alert, alert.ends_at or now, now
                    )
            if incident.started_at is None or group.first_started_at < incident.started_at:
                await incidents.record(session, incident.id, started_at=group.first_started_at)
            if group.proposal_channel is not None:
                await jobs.plan_unique(
                    session, ALERT_CARD, payload={"group_id": group_id}, due_at=now, now=now
                )

    async def dismiss(self, group_id: int, *, by: str) -> None:
        now = self.clock()
        async with self.store.transaction() as session:
            group = await alerts.load_group(session, group_id)
            if group.state != PROPOSED:
                raise AlertProblem(settled_reason(group))
            await alerts.save_group(
                session, group_id, state=DISMISSED, decided_by=by, updated_at=now
            )
            await jobs.plan_unique(
                session, ALERT_CARD, payload={"group_id": group_id}, due_at=now, now=now
            )
        await self.refresh_card(group_id)

    async def attach(self, group_id: int, incident_id: int, *, by: str) -> Incident:
        async with self.store.read() as session:
            group = await alerts.load_group(session, group_id)
            incident = await incidents.find(session, incident_id)
        if group.state != PROPOSED:
            raise AlertProblem(settled_reason(group))
        if incident is None or incident.resolved_at is not None or incident.cancelled_at:
            raise AlertProblem("That incident is no longer open; pick another or declare one.")
        await self.link(group_id, incident, by=by)
        await self.refresh_card(group_id)
        if incident.channel_id is not None:
            async with self.store.read() as session:
                group = await alerts.load_group(session, group_id)
            await self.gateway.post(incident.channel_id, alerts_attached_note(group, by))
        return incident

    async def draft(self, group_id: int) -> DeclareDraft:
        """What the declare form opened from a triage card says, from the group's route."""
        async with self.store.read() as session:
            group = await alerts.load_group(session, group_id)
        if group.state != PROPOSED:
            raise AlertProblem(settled_reason(group))
        return draft_of(group, self._route(group.route))

    async def on_card_job(self, job: Job) -> None:
        await self.refresh_card(int(job.payload["group_id"]))

    async def refresh_card(self, group_id: int) -> None:
        """Post the group's triage card, or bring the posted one up to date."""
        async with self.store.read() as session:
            group = await alerts.load_group(session, group_id)
            incident = (
                await incidents.find(session, group.incident_id) if group.incident_id else None
            )
            open_ = (
                await incidents.open_in_team(session, await self.team_id(), limit=ATTACHABLE)
                if group.state == PROPOSED
                else []
            )
            attachable = [i for i in open_ if not i.private and i.cancelled_at is None]
            labels = await alerts.labels_by_incident(session, [i.id for i in attachable])
        route = self._route(group.route)
        channel = group.proposal_channel or route.channel or self.broadcast_channel
        if channel is None:
            log.warning(
                "alert group %s (%s) has no channel for its triage card: set "
                "BROADCAST_CHANNEL or the route's channel",
                group.id,
                group.name,
            )
            return
        like = most_similar(
            Candidate(group.name, group.summary, dict(group.labels)), attachable, labels=labels
        )
        message = alert_card(
            group,
            incident=incident,
            attachable=attachable,
            route=route,
            suggested=like[0].incident if like else None,
        )
        if group.proposal_ts is not None:
            await self.gateway.update(MessageRef(channel, group.proposal_ts), message)
            return
        found = None
        if group.proposal_channel is not None:  # an earlier post may have gone unrecorded
            found = await self.gateway.find_own_message(
                channel, alert_card_block_id(group.id), since=group.updated_at - timedelta(hours=1)
            )
        else:
            async with self.store.transaction() as session:
                await alerts.save_group(session, group.id, proposal_channel=channel)
        ref = found or await self.gateway.post(channel, message, join_if_needed=True)
        async with self.store.transaction() as session:
            await alerts.save_group(
                session, group.id, proposal_channel=ref.channel, proposal_ts=ref.ts
            )
        if found is not None:
            await self.gateway.update(ref, message)

    async def on_resolved_job(self, job: Job) -> None:
        """Tell the room once every alert on the incident has resolved."""
        assert job.incident_id is not None
        async with self.store.read() as session:
            firing, total = await alerts.incident_alert_tally(session, job.incident_id)
            incident = await incidents.load(session, job.incident_id)
        if firing or not total or incident.channel_id is None or incident.resolved_at:
            return
        await self.gateway.post(incident.channel_id, alerts_resolved_note(incident, total))
