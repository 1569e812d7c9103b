"""Recognising a Slack delivery we already handled.

Slack re-sends a request it thinks failed, marking it with `X-Slack-Retry-Num`,
and a double click can send one submission twice. Commands and interactions
have a stable identity (trigger_id, view id and hash); once one is handled its
key is stored, and any later delivery with that key is answered with an empty
200 instead of being executed again. That includes answers with content:
`/incident note` says what it logged, and running it again would log it twice.
Only a modal's errors leave the key free: nothing was done, and the retry must
get the errors again (an empty answer would close the modal).

Deliveries with the same key are handled one after another in the process that
got them, so a retry that arrives while the first delivery is still running
(Slack stopped waiting for it) waits, and is then answered, or executed if the
first one failed.

Events are not tracked here: each event listener is idempotent on its own (a
message is keyed by channel and ts, a highlight by its source and event time),
so a retried event finds its work done, and the busiest path is spared a write
per delivery.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from warroom.store import requests
from warroom.store.engine import Store

__all__ = ["OneAtATime", "delivery_key", "handled", "skip_handled_deliveries"]


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


class OneAtATime:
    """Holds a delivery while another with the same key is being handled in this process."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, holders = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, holders + 1)
        try:
            async with lock:
                yield
        finally:
            lock, holders = self._locks[key]
            if holders == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, holders - 1)


def skip_handled_deliveries(
    store: Store,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware (runs after signature verification): answer deliveries already handled."""

    async def middleware(
        req: AsyncBoltRequest, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = delivery_key(req.body)
        if key is not None:
            async with store.transaction() as session:
                if await requests.is_processed(session, key):
                    return BoltResponse(status=200, body="")
        await next()
        return None

    return middleware
