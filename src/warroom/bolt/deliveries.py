"""Each Slack delivery of a command or interaction runs once, on one replica.

Slack re-sends a request it thinks failed (`X-Slack-Retry-Num`), a double click
can send one submission twice, and either copy may reach any replica. Commands
and interactions have a stable identity (trigger_id, view id and hash), so
before one runs, its key is claimed in the database (after Bolt verified the
signature: a forged request writes nothing). Another copy that finds the claim
waits briefly for the first to finish and is then answered with an empty 200;
if the first one failed, the claim is released and the copy runs instead; a
claim whose holder died is taken over once it is stale.

A claim is kept as "handled" for every 200, answers with content included:
`/incident note` says what it logged, and running it again would log it twice.
Only a modal's errors release it: nothing was done, and the retry must get the
errors again (an empty answer would close the modal).

Events are not claimed: each event listener is idempotent on its own (a message
is keyed by channel and ts, a highlight by its source and event time), so a
repeated event finds its work done, and the busiest path is spared a write.
Socket Mode (a local-use option, no replicas) is not claimed either.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from warroom.background import Background
from warroom.domain.clock import Clock
from warroom.store import requests
from warroom.store.engine import Store

__all__ = ["CLAIMED", "Finisher", "claim_deliveries", "delivery_key", "handled"]

log = logging.getLogger(__name__)

CLAIMED = "warroom_delivery_claim"
WAIT_FOR_FIRST_S = 2.5
POLL_S = 0.05
STALE_CLAIM = timedelta(seconds=30)


def delivery_key(body: Mapping[str, Any]) -> str | None:
    kind = body.get("type")
    if kind == "view_submission":
        view = body.get("view") or {}
        return f"view:{view.get('id')}:{view.get('hash')}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    if kind in {"block_actions", "message_action", "shortcut"} and body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"
    return None


def handled(response: BoltResponse) -> bool:
    """Whether a delivery answered so must not run again: a 200 that is not a modal's errors."""
    if response.status != 200:
        return False
    try:
        answer = json.loads(response.body) if response.body.startswith("{") else None
    except ValueError:
        return True
    return not (isinstance(answer, dict) and answer.get("response_action") == "errors")


async def _acquire(store: Store, clock: Clock, key: str, team_id: str | None) -> bool:
    """True: this delivery runs. False: another copy ran, or is running, it."""
    give_up_at = time.monotonic() + WAIT_FOR_FIRST_S
    while True:
        now = clock()
        async with store.transaction() as session:
            if await requests.claim(session, key, team_id=team_id, now=now):
                return True
            seen = await requests.find(session, key)
            if seen is None:
                continue
            if seen.handled_at is not None:
                return False
            if now - seen.received_at > STALE_CLAIM:
                if await requests.take_over(session, key, seen=seen, now=now):
                    return True
                continue
        if time.monotonic() > give_up_at:
            return False
        await asyncio.sleep(POLL_S)


def claim_deliveries(store: Store, clock: Clock) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware (runs after signature verification): claim, or answer a copy."""

    async def middleware(
        req: AsyncBoltRequest, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = delivery_key(req.body)
        if key is not None:
            if not await _acquire(store, clock, key, _team_id(req.body)):
                return BoltResponse(status=200, body="")
            req.context[CLAIMED] = key
        await next()
        return None

    return middleware


class Finisher:
    """Ends each claim once its answer is known.

    A delivery that may run again (an error, a modal's errors) is released before
    its answer leaves, so a retry it sets off finds the key free. Handled ones are
    marked in batches after their answers left: one write for many keeps the
    single SQLite writer free for requests that are waiting to be answered.
    """

    def __init__(self, store: Store, clock: Clock, background: Background) -> None:
        self.store = store
        self.clock = clock
        self.background = background
        self._handled: list[str] = []

    async def finish(self, key: str, response: BoltResponse) -> None:
        if handled(response):
            self._handled.append(key)
            if len(self._handled) == 1:
                self.background.spawn(self._mark_handled(), name="mark deliveries handled")
            return
        try:
            async with self.store.transaction() as session:
                await requests.release(session, key)
        except Exception as error:
            log.warning("could not release delivery %s (stale in %s): %s", key, STALE_CLAIM, error)

    async def _mark_handled(self) -> None:
        await asyncio.sleep(0)
        keys, self._handled = self._handled, []
        try:
            async with self.store.transaction() as session:
                await requests.mark_handled(session, keys, now=self.clock())
        except Exception as error:
            log.warning("could not mark %d deliveries handled: %s", len(keys), error)


def _team_id(body: Mapping[str, Any]) -> str | None:
    team = body.get("team_id") or (body.get("team") or {})
    found = team.get("id") if isinstance(team, dict) else team
    return str(found) if found else None
