"""Who may see an incident: the one answer every surface asks.

A public incident is everyone's. A private one is seen only by the people in
its war room *now*, as Slack says (`conversations.members`), not by the list
of people once invited: someone removed from the room stops seeing it. The
member set of a room is cached for `MEMBERS_TTL`, and dropped at once when
Slack reports someone joining or leaving it (`member_joined_channel`,
`member_left_channel`), so a removal is felt on the next look, and a lost
event at worst within the TTL.

When Slack cannot say who is in the room the answer is "no": a private
incident is hidden rather than shown to the wrong person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway

__all__ = ["MEMBERS_TTL", "Audience"]

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(seconds=30)
ROOMS_CACHED = 1_000


@dataclass
class Audience:
    gateway: SlackGateway
    clock: Clock
    ttl: timedelta = MEMBERS_TTL
    _members: dict[str, tuple[datetime, frozenset[str]]] = field(default_factory=dict)

    async def may_see(self, user_id: str, incident: Incident) -> bool:
        """May `user_id` see `incident` (its title, room, reference, timeline)?"""
        if not incident.private:
            return True
        if incident.channel_id is None:
            # Only while its room is being made: the reporter and those being brought in.
            return incident.involves(user_id)
        members = await self.members(incident.channel_id)
        return members is not None and user_id in members

    async def visible(self, user_id: str, incidents: Iterable[Incident]) -> list[Incident]:
        """`incidents` that `user_id` may see, in the order given."""
        listed = list(incidents)
        allowed = await asyncio.gather(*(self.may_see(user_id, i) for i in listed))
        return [incident for incident, ok in zip(listed, allowed, strict=True) if ok]

    async def in_room(self, incident: Incident, user_id: str) -> bool:
        """Is `user_id` in the incident's war room now? SlackFailure if Slack would not
        say. Asked before letting someone steer it: a "no" from the cache is asked again
        of Slack, so a person just invited (on this replica or another) is never refused
        for a stale list."""
        if incident.channel_id is None:
            return False
        cached = self._members.get(incident.channel_id)
        if cached is not None and cached[0] > self.clock() and user_id in cached[1]:
            return True
        members = await self.gateway.channel_members(incident.channel_id)
        self._remember(incident.channel_id, members)
        return user_id in members

    async def members(self, channel_id: str) -> frozenset[str] | None:
        """The room's members now (cached briefly); None if Slack would not say."""
        now = self.clock()
        cached = self._members.get(channel_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            members = await self.gateway.channel_members(channel_id)
        except SlackFailure as failure:
            log.warning("members of %s unknown, treated as nobody: %s", channel_id, failure)
            return None
        self._remember(channel_id, members)
        return members

    def _remember(self, channel_id: str, members: frozenset[str]) -> None:
        if len(self._members) >= ROOMS_CACHED:
            self._members.clear()
        self._members[channel_id] = (self.clock() + self.ttl, members)

    def forget(self, channel_id: str) -> None:
        """Someone joined or left `channel_id`: ask Slack again next time."""
        self._members.pop(channel_id, None)
