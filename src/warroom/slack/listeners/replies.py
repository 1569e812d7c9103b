"""Telling the person who acted what happened, privately, wherever they acted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from warroom.domain.incident import Incident
from warroom.runtime import Runtime
from warroom.slack.blocks.changes import not_refreshed
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = ["publish_then_report", "tell_actor"]

log = logging.getLogger(__name__)


async def tell_actor(
    runtime: Runtime,
    user_id: str,
    message: Message,
    *,
    response_url: str | None = None,
    room: str | None = None,
) -> None:
    """Through the response_url when there is one, else ephemeral in the room, else by DM."""
    try:
        if response_url is None and room is not None:
            await runtime.gateway.whisper(room, user_id, message)
        else:
            await runtime.gateway.tell(user_id, message, response_url=response_url)
    except SlackFailure as failure:
        log.error("could not tell %s: %s", user_id, failure)


async def publish_then_report(
    runtime: Runtime,
    incident: Incident,
    publishing: Awaitable[Sequence[SlackFailure]],
    *,
    user_id: str,
    response_url: str | None = None,
) -> None:
    """Run a change's Slack side; if Slack refused part of it, say so to whoever changed it."""
    failures = await publishing
    if failures:
        await tell_actor(
            runtime,
            user_id,
            not_refreshed(incident, failures),
            response_url=response_url,
            room=incident.channel_id,
        )
