"""The App Home tab: what each person sees there, published when they open it and kept
fresh while they use it, without republishing every Home on every change.

Who opened their Home, and when, is kept (`home_views`). A change to what a Home
shows (an incident declared, a role, a status or severity, a status update, the
end of an incident, an action item added or settled) marks the Homes it may touch
stale and plans one `refresh_homes` job `debounce` later, unless one is waiting
already: a burst of changes to a busy incident is one refresh, and chat messages
change nothing a Home shows. Only Homes opened in the last `kept_for` are kept
fresh; anyone else's is published afresh the next time they open it.

A Home shows only what its person may see (`Audience`): a private incident they are
not in is neither listed nor counted. A Home whose view is unchanged since it was
last published is not sent again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from warroom.domain.clock import Clock
from warroom.domain.finding import OPEN, RECENT, ListQuery
from warroom.domain.home import (
    ITEMS_SHOWN,
    OPEN_SHOWN,
    RESOLVED_SHOWN,
    ROLES_SHOWN,
    HeldRole,
    HomeTab,
    OwnedItem,
)
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.services.audience import Audience
from warroom.slack.blocks.home import home_view
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import home_views, jobs, search
from warroom.store.engine import DatabaseUnavailable, Session, Store
from warroom.store.home_views import Viewer
from warroom.store.jobs import Job

__all__ = ["DEBOUNCE", "KEPT_FOR", "REFRESH_HOMES", "HomeChanges", "Homes"]

log = logging.getLogger(__name__)

REFRESH_HOMES = "refresh_homes"
DEBOUNCE = timedelta(seconds=15)
"""A Home is republished at most this often, and at most this long after a change."""
KEPT_FOR = timedelta(days=14)
"""Homes opened this recently are kept fresh."""
FETCHED = 200
"""Incidents of each kind read for one Home (before filtering by audience)."""
ITEMS_FETCHED = 100
REFRESHED_PER_JOB = 500
"""Homes one job republishes; more wait for the next job, planned at once."""
AT_ONCE = 8
"""Homes published concurrently (views.publish is Tier 4: 100+ a minute)."""


class HomeChanges(Protocol):
    """What the services that change a Home tell it (`Homes` itself)."""

    async def incident_changed(self, incident_id: int) -> None: ...

    async def people_changed(self, user_ids: Iterable[str]) -> None: ...


@dataclass
class Homes:
    store: Store
    gateway: SlackGateway
    audience: Audience
    policy: Policy
    clock: Clock
    debounce: timedelta = DEBOUNCE
    kept_for: timedelta = KEPT_FOR

    # -- what a Home shows ------------------------------------------------------------

    async def tab(self, user_id: str, team_id: str) -> HomeTab:
        """`user_id`'s Home: only incidents (and items of incidents) they may see."""
        now = self.clock()
        async with self.store.read() as session:
            open_ = await search.listed(
                session, team_id, ListQuery(scope=OPEN), viewer=user_id, now=now, limit=FETCHED
            )
            recent = await search.listed(
                session, team_id, ListQuery(scope=RECENT), viewer=user_id, now=now, limit=FETCHED
            )
            owned = await home_views.owned_open_items(
                session, team_id, user_id, limit=ITEMS_FETCHED
            )
        seen = {
            incident.id: incident
            for incident in await self.audience.visible(
                user_id, _unique([*open_, *recent, *(incident for incident, _ in owned)])
            )
        }
        visible_open = sorted((i for i in open_ if i.id in seen), key=self._severity_rank)
        visible_recent = [i for i in recent if i.id in seen]
        items = [OwnedItem(seen[i.id], item) for i, item in owned if i.id in seen]
        roles = [
            HeldRole(incident, holder.role)
            for incident in visible_open
            for holder in incident.roles
            if holder.user_id == user_id
        ]
        return HomeTab(
            user_id=user_id,
            open=tuple(visible_open[:OPEN_SHOWN]),
            open_more=max(0, len(visible_open) - OPEN_SHOWN),
            roles=tuple(roles[:ROLES_SHOWN]),
            roles_more=max(0, len(roles) - ROLES_SHOWN),
            items=tuple(items[:ITEMS_SHOWN]),
            items_more=max(0, len(items) - ITEMS_SHOWN),
            resolved=tuple(visible_recent[:RESOLVED_SHOWN]),
            resolved_more=max(0, len(visible_recent) - RESOLVED_SHOWN),
            now=now,
        )

    async def view(self, user_id: str, team_id: str) -> dict[str, Any]:
        """The `home` view for `user_id`, as it would be published now."""
        return home_view(await self.tab(user_id, team_id), self.policy)

    # -- publishing -------------------------------------------------------------------

    async def opened(self, user_id: str, team_id: str, *, event: str | None = None) -> bool:
        """`user_id` opened their Home tab: remember them (their Home is kept fresh from
        now on); the caller publishes it. False for Slack's retry of an `event` (its
        event_ts) already handled: nothing to publish again."""
        async with self.store.transaction() as session:
            return await home_views.opened(
                session, team_id=team_id, user_id=user_id, now=self.clock(), event=event
            )

    async def publish(self, user_id: str, team_id: str, *, known: str | None = None) -> bool:
        """Publish `user_id`'s Home, unless it would show what `known` (a digest of what
        was published last) says it shows already; whether it was sent. SlackFailure
        if Slack refused it."""
        view = await self.view(user_id, team_id)
        digest = _digest(view)
        if known is not None and digest == known:
            return False
        await self.gateway.publish_home(user_id, view)
        async with self.store.transaction() as session:
            await home_views.published(session, team_id=team_id, user_id=user_id, view_hash=digest)
        return True

    # -- keeping Homes fresh ----------------------------------------------------------

    async def incident_changed(self, incident_id: int) -> None:
        """Something a Home shows of the incident changed: its workspace's recent Homes
        are refreshed (debounced). Never raises: the change itself is already made."""

        async def mark(session: Session, since: datetime) -> int:
            return await home_views.mark_team_stale(session, incident_id, since=since)

        await self._mark(mark)

    async def people_changed(self, user_ids: Iterable[str]) -> None:
        """Something only these people's Homes show changed (their action items)."""
        wanted = [user for user in user_ids if user]

        async def mark(session: Session, since: datetime) -> int:
            return await home_views.mark_stale(session, wanted, since=since)

        if wanted:
            await self._mark(mark)

    async def _mark(self, mark: Callable[[Session, datetime], Awaitable[int]]) -> None:
        now = self.clock()
        try:
            async with self.store.transaction() as session:
                if await mark(session, now - self.kept_for):
                    due = now + self.debounce
                    await jobs.plan_once(session, REFRESH_HOMES, due_at=due, now=now)
        except DatabaseUnavailable as outage:
            log.warning("Homes not marked for a refresh: %s", outage)

    async def on_job(self, job: Job) -> None:
        """Due job: republish the stale Homes. One Slack refused for a passing reason is
        marked stale again and the job raises, so the scheduler tries again later."""
        now = self.clock()
        async with self.store.transaction() as session:
            viewers = await home_views.take_stale(
                session, since=now - self.kept_for, limit=REFRESHED_PER_JOB
            )
            if len(viewers) == REFRESHED_PER_JOB:
                await jobs.plan_once(session, REFRESH_HOMES, due_at=now, now=now)
        gate = asyncio.Semaphore(AT_ONCE)

        async def refresh(viewer: Viewer) -> SlackFailure | None:
            async with gate:
                try:
                    await self.publish(viewer.user_id, viewer.team_id, known=viewer.view_hash)
                except SlackFailure as failure:
                    return failure
                return None

        failures = await asyncio.gather(*(refresh(viewer) for viewer in viewers))
        again = [
            viewer.user_id
            for viewer, failure in zip(viewers, failures, strict=True)
            if failure is not None and failure.transient
        ]
        for viewer, failure in zip(viewers, failures, strict=True):
            if failure is not None and not failure.transient:
                log.warning("Home of %s not published: %s", viewer.user_id, failure)
        if again:
            async with self.store.transaction() as session:
                await home_views.mark_stale(session, again, since=now - self.kept_for)
            raise next(f for f in failures if f is not None and f.transient)

    def _severity_rank(self, incident: Incident) -> int:
        try:
            return self.policy.severity(incident.severity).rank
        except KeyError:  # a severity since removed from the policy: last
            return len(self.policy.severities) + 1


def _unique(incidents: Iterable[Incident]) -> list[Incident]:
    return list({incident.id: incident for incident in incidents}.values())


def _digest(view: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()
