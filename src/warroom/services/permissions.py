"""The one place the services check who may steer an incident.

Every service that changes an incident asks the `Guard` twice: `admit` before
its transaction, looking up in Slack what the rules need (is the person in the
war room; in the admin user group), then `hold` inside it, deciding again on the
incident as it is under the row lock, so a form opened before the incident was
closed, or before the IC changed, is judged by the state it is submitted into.
A refusal raises `NotPermitted` before anything is written or posted, and is
logged (who, what, which incident; never any text they typed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import (
    Action,
    ActorFacts,
    NotPermitted,
    Permissions,
    Refused,
    decide,
)
from warroom.slack.errors import SlackFailure
from warroom.store import incidents
from warroom.store.engine import Session, Store

__all__ = ["GroupMembers", "Guard", "IsMember", "NotPermitted"]

log = logging.getLogger(__name__)

IsMember = Callable[[Incident, str], Awaitable[bool]]
"""Is this user in this incident's war-room channel now? SlackFailure: Slack would not say."""
GroupMembers = Callable[[str], Awaitable[frozenset[str]]]
"""The users in a Slack user group now."""
GROUP_TTL = timedelta(seconds=60)


@dataclass
class Guard:
    store: Store
    permissions: Permissions
    is_member: IsMember
    group_members: GroupMembers

    async def admit(
        self, incident_id: int, user_id: str, *actions: Action, item_owners: Collection[str] = ()
    ) -> ActorFacts:
        """The facts about `user_id` that `actions` need, or NotPermitted for any of them."""
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
        actor = ActorFacts(user_id, is_admin=user_id in self.permissions.admins.users)
        refused = self._refusals(incident, actor, actions, item_owners)
        if refused and not any(r.closed for r in refused):
            actor = await self._look_up(incident, actor, [r.action for r in refused])
        self.require(incident, actor, *actions, item_owners=item_owners)
        return actor

    async def hold(
        self,
        session: Session,
        incident_id: int,
        actor: ActorFacts,
        *actions: Action,
        item_owners: Collection[str] = (),
    ) -> Incident:
        """Lock the incident and decide again on it as it is now; returns it."""
        incident = await incidents.lock(session, incident_id)
        self.require(incident, actor, *actions, item_owners=item_owners)
        return incident

    def require(
        self, incident: Incident, actor: ActorFacts, *actions: Action, item_owners: Collection[str]
    ) -> None:
        for refusal in self._refusals(incident, actor, actions, item_owners):
            log.info(
                "refused: %r may not %s %s%s",
                actor.user_id,
                refusal.action,
                incident.reference,
                " (closed)" if refusal.closed else "",
            )
            raise NotPermitted(refusal, incident, actor.user_id, unverified=actor.unverified)

    def _refusals(
        self,
        incident: Incident,
        actor: ActorFacts,
        actions: tuple[Action, ...],
        item_owners: Collection[str],
    ) -> list[Refused]:
        decided = [
            decide(action, actor, incident, self.permissions, item_owners=item_owners)
            for action in actions
        ]
        return [outcome for outcome in decided if isinstance(outcome, Refused)]

    async def _look_up(
        self, incident: Incident, actor: ActorFacts, actions: list[Action]
    ) -> ActorFacts:
        rules = self.permissions
        member = any(rules.needs_membership(action) for action in actions)
        group = not actor.is_admin and any(rules.needs_admin_group(action) for action in actions)
        in_room, in_group = await asyncio.gather(
            self._ask(self.is_member(incident, actor.user_id)) if member else _no(),
            self._ask(self._in_admin_group(actor.user_id)) if group else _no(),
        )
        unanswered = [str(a) for a in (in_room, in_group) if isinstance(a, SlackFailure)]
        return replace(
            actor,
            is_member=in_room is True,
            is_admin=actor.is_admin or in_group is True,
            unverified=unanswered[0] if unanswered else None,
        )

    @staticmethod
    async def _ask(question: Awaitable[bool]) -> bool | SlackFailure:
        try:
            return await question
        except SlackFailure as failure:
            log.warning("could not check a permission with Slack: %s", failure)
            return failure

    async def _in_admin_group(self, user_id: str) -> bool:
        usergroup = self.permissions.admins.usergroup
        assert usergroup is not None
        return user_id in await self.group_members(usergroup)


async def _no() -> bool | SlackFailure:
    return False


def cached_group_members(
    look_up: GroupMembers, clock: Clock, ttl: timedelta = GROUP_TTL
) -> GroupMembers:
    """`look_up`, remembered for `ttl` per group: Slack allows ~20 of these a minute, and an
    outsider pressing a card button over and over must not use them up."""
    cache: dict[str, tuple[datetime, frozenset[str]]] = {}

    async def group_members(usergroup: str) -> frozenset[str]:
        now = clock()
        cached = cache.get(usergroup)
        if cached is not None and cached[0] > now:
            return cached[1]
        members = await look_up(usergroup)
        cache[usergroup] = (now + ttl, members)
        return members

    return group_members
