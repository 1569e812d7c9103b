"""Keeping what Slack shows of an incident (card, topic, announcement) in step with the store.

Every refresh renders from the incident as stored at that moment, one refresh
per incident at a time, so the last one to finish shows the newest state and
the card never settles on a stale holder.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field

from warroom.domain.policy import Policy
from warroom.services.fanout import fan_out
from warroom.slack.blocks.announcement import announcement
from warroom.slack.blocks.card import incident_card
from warroom.slack.blocks.topic import channel_topic
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef, SlackGateway
from warroom.store import incidents
from warroom.store.engine import Store

__all__ = ["Surfaces"]

log = logging.getLogger(__name__)


@dataclass
class Surfaces:
    store: Store
    gateway: SlackGateway
    policy: Policy
    _locks: defaultdict[int, asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock)
    )

    async def refresh(
        self, incident_id: int, *, topic: bool = True, announcement_too: bool = True
    ) -> list[SlackFailure]:
        """Update the card (always), the topic and the announcement; return what failed."""
        async with self._locks[incident_id]:
            async with self.store.transaction() as session:
                incident = await incidents.load(session, incident_id)
            calls: list[Awaitable[None]] = []
            if incident.channel_id and incident.card_ts:
                card = MessageRef(incident.channel_id, incident.card_ts)
                calls.append(self.gateway.update(card, incident_card(incident, self.policy)))
            if topic and incident.channel_id:
                text = channel_topic(incident, self.policy)
                calls.append(self.gateway.set_topic(incident.channel_id, text))
            if announcement_too and incident.announcement_channel_id and incident.announcement_ts:
                ref = MessageRef(incident.announcement_channel_id, incident.announcement_ts)
                calls.append(self.gateway.update(ref, announcement(incident, self.policy)))
            failures = await fan_out(*calls)
        for failure in failures:
            log.warning("%s: could not refresh: %s", incident.reference, failure)
        return failures
