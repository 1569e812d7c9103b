"""Recognising a Slack delivery we already handled.

Slack re-sends a request it thinks failed, marking it with `X-Slack-Retry-Num`.
Commands and interactions have a stable identity; once one is handled its key
is stored, and a marked retry of it is answered with an empty 200 instead of
being executed again. Events are not tracked here: each event listener is
idempotent on its own (a message is keyed by channel and ts, a highlight by
its source and event time), so a retried event finds its work done, and the
busiest path is spared a write per delivery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from warroom.store import requests
from warroom.store.engine import Store

__all__ = ["delivery_key", "is_retry", "skip_handled_retries"]

RETRY_HEADER = "x-slack-retry-num"


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


def is_retry(headers: Mapping[str, Sequence[str]]) -> bool:
    """Slack numbers retries from 1; Bolt reports Socket Mode's first delivery as 0."""
    values = headers.get(RETRY_HEADER) or ["0"]
    return values[0].isdigit() and int(values[0]) > 0


def skip_handled_retries(
    store: Store,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware (runs after signature verification): drop retries already handled."""

    async def middleware(
        req: AsyncBoltRequest, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = delivery_key(req.body)
        if key is not None and is_retry(req.headers):
            async with store.transaction() as session:
                if await requests.is_processed(session, key):
                    return BoltResponse(status=200, body="")
        await next()
        return None

    return middleware
