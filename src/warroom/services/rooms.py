"""Which incident a war-room channel belongs to.

A channel belongs to one incident for life, so the mapping is cached once found;
the incident itself is always read fresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warroom.domain.incident import Incident
from warroom.services.audience import Audience
from warroom.store import incidents
from warroom.store.engine import Store

__all__ = ["Rooms"]

OPEN_SHOWN = 20


@dataclass
class Rooms:
    store: Store
    audience: Audience
    _incident_ids: dict[str, int] = field(default_factory=dict)

    async def incident_id_in(self, channel_id: str) -> int | None:
        known = self._incident_ids.get(channel_id)
        if known is not None:
            return known
        async with self.store.read() as session:
            found = await incidents.id_by_channel(session, channel_id)
        if found is not None:
            self._incident_ids[channel_id] = found
        return found

    async def incident(self, incident_id: int) -> Incident:
        """The incident as stored now (a button or form names it by id)."""
        async with self.store.read() as session:
            return await incidents.load(session, incident_id)

    async def incident_in(self, channel_id: str) -> Incident | None:
        incident_id = await self.incident_id_in(channel_id)
        if incident_id is None:
            return None
        async with self.store.read() as session:
            return await incidents.load(session, incident_id)

    async def open_incidents(self, team_id: str, *, viewer: str) -> list[Incident]:
        """Unresolved incidents with a war room, newest first, that `viewer` may see."""
        async with self.store.read() as session:
            found = await incidents.open_in_team(session, team_id, limit=OPEN_SHOWN)
        return await self.audience.visible(viewer, [i for i in found if i.channel_id])
