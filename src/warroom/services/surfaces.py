"""Keeping what Slack shows of an incident (card, topic, announcement) in step with the store.

Every refresh renders from the incident as stored at that moment, one refresh
per incident at a time in this process. Another replica may commit a change and
refresh while our older render is still on its way to Slack, and land first; so
once Slack has applied ours, the incident is read again and anything that now
renders differently is sent again. Whoever lands last has then rendered from a
state no older than the last one committed, and the card never settles stale.
A refresh Slack refused for a passing reason is queued as a due job, so the
scheduler brings Slack back in step with backoff instead of leaving it stale.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.services.fanout import fan_out
from warroom.services.home import HomeChanges
from warroom.slack.blocks.announcement import announcement
from warroom.slack.blocks.card import incident_card
from warroom.slack.blocks.topic import channel_topic
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef, SlackGateway
from warroom.slack.message import Message
from warroom.store import incidents, jobs
from warroom.store.engine import Store
from warroom.store.jobs import Job

__all__ = ["REFRESH_SURFACES", "Surfaces"]

REFRESH_SURFACES = "refresh_surfaces"
RETRY_AFTER = timedelta(seconds=30)

log = logging.getLogger(__name__)

MAX_PASSES = 3
Surface = MessageRef | str
"""A message to update, or a channel whose topic to set."""


@dataclass
class Surfaces:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    homes: HomeChanges | None = None
    """The App Home tabs: told of every change, they refresh themselves (debounced)."""
    _locks: defaultdict[int, asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock)
    )

    async def changed(self, incident_id: int) -> None:
        """Tell the Home tabs the incident changed (the card, topic and announcement are
        `refresh`'s, which tells them too)."""
        if self.homes is not None:
            await self.homes.incident_changed(incident_id)

    async def refresh(
        self, incident_id: int, *, topic: bool = True, announcement_too: bool = True
    ) -> list[SlackFailure]:
        """Update the card (always), the topic and the announcement; return what failed.
        What failed for a passing reason is tried again by the scheduler."""
        failures = await self._refresh(incident_id, topic=topic, announcement_too=announcement_too)
        await self.changed(incident_id)
        if any(failure.transient for failure in failures):
            now = self.clock()
            async with self.store.transaction() as session:
                await jobs.put(
                    session,
                    REFRESH_SURFACES,
                    incident_id=incident_id,
                    due_at=now + RETRY_AFTER,
                    now=now,
                )
        return failures

    async def on_job(self, job: Job) -> None:
        """Due job: refresh everything; still failing raises, so the scheduler backs off."""
        assert job.incident_id is not None
        failures = await self._refresh(job.incident_id, topic=True, announcement_too=True)
        if failures:
            raise failures[0]

    async def _refresh(
        self, incident_id: int, *, topic: bool, announcement_too: bool
    ) -> list[SlackFailure]:
        shown: dict[Surface, Message | str] = {}
        failures: list[SlackFailure] = []
        rendered_from: Incident | None = None
        async with self._locks[incident_id]:
            for _ in range(MAX_PASSES):
                async with self.store.read() as session:
                    incident = await incidents.load(session, incident_id)
                if incident == rendered_from:
                    break
                rendered_from = incident
                wanted = self._render(incident, topic=topic, announcement_too=announcement_too)
                changed = {
                    where: what for where, what in wanted.items() if shown.get(where) != what
                }
                if not changed:
                    break
                failures = await fan_out(
                    *(self._send(where, what) for where, what in changed.items())
                )
                shown.update(changed)
        for failure in failures:
            log.warning("%s: could not refresh: %s", incident.reference, failure)
        return failures

    def _render(
        self, incident: Incident, *, topic: bool, announcement_too: bool
    ) -> dict[Surface, Message | str]:
        wanted: dict[Surface, Message | str] = {}
        if incident.channel_id and incident.card_ts:
            card = MessageRef(incident.channel_id, incident.card_ts)
            wanted[card] = incident_card(incident, self.policy, now=self.clock())
        if topic and incident.channel_id:
            wanted[incident.channel_id] = channel_topic(incident, self.policy)
        if announcement_too and incident.announcement_channel_id and incident.announcement_ts:
            ref = MessageRef(incident.announcement_channel_id, incident.announcement_ts)
            wanted[ref] = announcement(incident, self.policy, now=self.clock())
        return wanted

    async def _send(self, where: Surface, what: Message | str) -> None:
        if isinstance(where, MessageRef):
            assert isinstance(what, Message)
            await self.gateway.update(where, what)
        else:
            assert isinstance(what, str)
            await self.gateway.set_topic(where, what)
