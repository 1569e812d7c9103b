"""Telling the person who acted what happened, privately, wherever they acted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from warroom.domain.incident import Incident
from warroom.runtime import Runtime
from warroom.slack.blocks.changes import not_refreshed
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = [
    "open_form_later",
    "publish_later",
    "publish_then_report",
    "tell_actor",
    "tell_later",
]

log = logging.getLogger(__name__)


async def tell_actor(
    runtime: Runtime,
    user_id: str,
    message: Message,
    *,
    response_url: str | None = None,
    room: str | None = None,
) -> None:
    """Through the response_url when there is one, else ephemeral in the room; by DM if
    Slack refuses either, since this is often the only word they get of a failure."""
    try:
        if response_url is None and room is not None:
            try:
                await runtime.gateway.whisper(room, user_id, message)
            except SlackFailure:
                await runtime.gateway.dm(user_id, message)
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


ViewOrReason = dict[str, Any] | Message


def open_form_later(
    runtime: Runtime,
    build: Callable[[], Awaitable[ViewOrReason]],
    *,
    trigger_id: str,
    actor: str,
    response_url: str | None,
    name: str,
) -> None:
    """Open a modal once Slack has been answered. `build` returns the view, or a
    message saying why there is none; that, or Slack refusing, is told to the actor."""

    async def run() -> None:
        view = await build()
        if isinstance(view, Message):
            await tell_actor(runtime, actor, view, response_url=response_url)
            return
        try:
            await runtime.gateway.open_view(trigger_id, view)
        except SlackFailure as failure:
            note = mrkdwn_message(
                f"⚠️ I couldn't open the form (`{failure.error}`). {failure.advice}"
            )
            await tell_actor(runtime, actor, note, response_url=response_url)

    runtime.background.spawn(run(), name=name)


def publish_later(
    runtime: Runtime,
    incident: Incident,
    publishing: Awaitable[Sequence[SlackFailure]],
    *,
    actor: str,
    response_url: str | None = None,
    name: str,
) -> None:
    runtime.background.spawn(
        publish_then_report(
            runtime, incident, publishing, user_id=actor, response_url=response_url
        ),
        name=name,
    )


def tell_later(
    runtime: Runtime,
    actor: str,
    message: Message,
    *,
    response_url: str | None = None,
    room: str | None = None,
) -> None:
    runtime.background.spawn(
        tell_actor(runtime, actor, message, response_url=response_url, room=room),
        name="tell the person who acted",
    )
