"""The one place a permission refusal becomes a private answer, wherever it was asked.

A slash command is answered in its (ephemeral) acknowledgement, a button through
its response_url, a submitted form by closing it and answering ephemerally in the
room (by DM to someone not in it); each says who may do it instead. Nothing is
posted for others to see.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from slack_bolt.async_app import AsyncAck

from warroom.bolt.listeners.replies import tell_later
from warroom.domain.permissions import NotPermitted
from warroom.runtime import Runtime
from warroom.services.lifecycle import Refused
from warroom.slack.blocks.permissions import refusal_message

__all__ = ["NotPermitted", "attempt_command", "refuse_button", "refuse_command", "refuse_form"]

T = TypeVar("T")


async def refuse_command(ack: AsyncAck, runtime: Runtime, error: NotPermitted) -> None:
    note = refusal_message(error, runtime.policy)
    await ack(text=note.text, blocks=note.blocks)


async def attempt_command(ack: AsyncAck, runtime: Runtime, change: Awaitable[T]) -> T | None:
    """The command's change, or None once a refusal (not now, or not theirs to do) has
    been the command's answer."""
    try:
        return await change
    except Refused as refused:
        await ack(text=str(refused))
    except NotPermitted as refused:
        await refuse_command(ack, runtime, refused)
    return None


async def refuse_button(
    ack: AsyncAck, runtime: Runtime, error: NotPermitted, *, response_url: str | None
) -> None:
    await ack()
    tell_later(
        runtime,
        error.user_id,
        refusal_message(error, runtime.policy),
        response_url=response_url,
        room=error.incident.channel_id,
    )


async def refuse_form(ack: AsyncAck, runtime: Runtime, error: NotPermitted) -> None:
    """Close the form and say why, ephemerally in the room (by DM if not in it): a form's
    own errors are plain text, which could not name who may do it."""
    await refuse_button(ack, runtime, error, response_url=None)
