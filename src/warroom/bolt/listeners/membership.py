"""Someone joined or left a channel: who may see a private incident is asked afresh.

Needs the `member_joined_channel` and `member_left_channel` events (scopes
`channels:read`, `groups:read`). Without them a removal still takes effect
once the cached member set expires (see `warroom.services.audience`).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from warroom.bolt.listeners.commands import Subcommand
from warroom.runtime import Runtime

__all__ = ["listen", "subcommands"]


def subcommands(runtime: Runtime) -> list[Subcommand]:
    return []


def listen(app: AsyncApp, runtime: Runtime) -> None:
    audience = runtime.audience

    async def on_membership(event: dict[str, Any]) -> None:
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            audience.forget(channel)

    app.event("member_joined_channel")(on_membership)
    app.event("member_left_channel")(on_membership)
