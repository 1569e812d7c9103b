"""Who a Slack user ID is, for artifacts people read outside Slack.

The directory in the store answers first. Someone it has never seen, or saw
longer ago than `ttl`, is looked up in Slack: one `users.info` each, or, when
more than `LIST_ABOVE` are missing at once, a walk through `users.list` that
stops once it has found them all. What Slack said is written back. A look-up
that fails (a refusal, a timeout, Slack unreachable) never fails the caller:
that person keeps what the directory knew, or their user ID.

The `user_change` event keeps entries fresh between look-ups (`changed`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from warroom.domain.clock import Clock
from warroom.domain.people import Person, unknown
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import people as directory
from warroom.store.engine import Store

__all__ = ["DIRECTORY_TTL", "LIST_ABOVE", "People"]

log = logging.getLogger(__name__)

DIRECTORY_TTL = timedelta(hours=24)
"""How long what Slack said about a person is trusted before it is asked again."""
LIST_ABOVE = 20
"""More people missing than this at once: page through users.list instead of asking
for each one."""
CONCURRENT_LOOKUPS = 5
"""users.info calls in flight at once (Tier 4: 100+ a minute)."""
LOOKUP_BUDGET_S = 10.0
"""How long one `names` call waits for Slack in all; whoever is not named by then is
shown as the directory had them, or by ID."""


@dataclass
class People:
    store: Store
    gateway: SlackGateway | None
    """None: the directory alone (`warroom export` does not talk to Slack)."""
    clock: Clock
    ttl: timedelta = DIRECTORY_TTL
    budget_s: float = LOOKUP_BUDGET_S

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The name to show for each user ID (the ID itself for anyone unknown)."""
        return {user_id: person.name for user_id, person in (await self.people(user_ids)).items()}

    async def person(self, user_id: str) -> Person:
        """One person, with their time zone when Slack gave one."""
        return (await self.people([user_id]))[user_id]

    async def people(self, user_ids: Iterable[str]) -> dict[str, Person]:
        ids = sorted({user_id for user_id in user_ids if user_id})
        if not ids:
            return {}
        now = self.clock()
        async with self.store.read() as session:
            known = await directory.known(session, ids)
        found = {user_id: entry.person for user_id, entry in known.items()}
        stale = [
            user_id
            for user_id in ids
            if user_id not in known or now - known[user_id].refreshed_at >= self.ttl
        ]
        if stale and self.gateway is not None:
            learned = await self._look_up(self.gateway, stale)
            if learned:
                async with self.store.transaction() as session:
                    await directory.save(session, learned.values(), now=now)
                found.update(learned)
        return {user_id: found.get(user_id) or unknown(user_id) for user_id in ids}

    async def changed(self, person: Person) -> None:
        """Slack said this person changed (`user_change`): keep what it says now. An entry
        that already says it (the same event again, or a change to what the directory
        does not keep, like a status) is left as it is."""
        async with self.store.transaction() as session:
            known = await directory.known(session, [person.user_id])
            entry = known.get(person.user_id)
            if entry is None or entry.person != person:
                await directory.save(session, [person], now=self.clock())

    async def _look_up(self, gateway: SlackGateway, user_ids: list[str]) -> dict[str, Person]:
        """What Slack says about `user_ids`, as far as it says it within the budget."""
        learned: dict[str, Person] = {}
        try:
            async with asyncio.timeout(self.budget_s):
                if len(user_ids) > LIST_ABOVE:
                    await self._listed(gateway, set(user_ids), learned)
                else:
                    await self._one_by_one(gateway, user_ids, learned)
        except TimeoutError:
            log.warning(
                "user look-ups took over %.0f s; %d of %d named",
                self.budget_s,
                len(learned),
                len(user_ids),
            )
        return learned

    async def _listed(
        self, gateway: SlackGateway, wanted: set[str], learned: dict[str, Person]
    ) -> None:
        try:
            async for page in gateway.users():
                learned.update((p.user_id, p) for p in page if p.user_id in wanted)
                if wanted <= learned.keys():
                    return
        except SlackFailure as failure:
            log.warning("users.list failed, people stay unnamed: %s", failure)

    async def _one_by_one(
        self, gateway: SlackGateway, user_ids: list[str], learned: dict[str, Person]
    ) -> None:
        gate = asyncio.Semaphore(CONCURRENT_LOOKUPS)

        async def one(user_id: str) -> None:
            async with gate:
                try:
                    learned[user_id] = await gateway.user(user_id)
                except SlackFailure as failure:
                    log.warning("users.info for %s failed: %s", user_id, failure.error)

        await asyncio.gather(*(one(user_id) for user_id in user_ids))
