"""`/incident cancel <reason>` and `/incident duplicate INC-N`."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import attempt_command
from warroom.bolt.listeners.replies import publish_later
from warroom.runtime import Runtime
from warroom.services.cancellation import Cancellation
from warroom.services.lifecycle import Refused

__all__ = ["listen", "subcommands"]

_REFERENCE = re.compile(r"^\s*(?:INC-?)?(\d{1,9})\s*$", re.IGNORECASE)
DUPLICATE_USAGE = "/incident duplicate INC-12"


def subcommands(runtime: Runtime) -> list[Subcommand]:
    def ending(
        end: Callable[[Invocation], Awaitable[Cancellation]],
    ) -> Callable[[Invocation, AsyncAck], Awaitable[None]]:
        async def run(invocation: Invocation, ack: AsyncAck) -> None:
            ended = await attempt_command(ack, runtime, end(invocation))
            if ended is None:
                return
            await ack()
            publish_later(
                runtime,
                ended.incident,
                runtime.cancellation.publish(ended),
                actor=invocation.user_id,
                response_url=invocation.response_url,
                name=f"publish {ended.incident.reference} cancelled",
            )

        return run

    async def cancel(invocation: Invocation) -> Cancellation:
        assert invocation.incident is not None
        reason = plain(invocation.rest)
        return await runtime.cancellation.cancel(invocation.incident.id, reason, invocation.user_id)

    async def duplicate(invocation: Invocation) -> Cancellation:
        assert invocation.incident is not None
        number = _REFERENCE.match(plain(invocation.rest))
        if number is None:
            raise Refused(f"Name the incident this one duplicates: `{DUPLICATE_USAGE}`.")
        return await runtime.cancellation.duplicate(
            invocation.incident.id, int(number.group(1)), invocation.user_id
        )

    return [
        Subcommand(
            ("cancel",),
            "/incident cancel <reason>",
            "A false alarm: end it without a postmortem; reminders stop.",
            ending(cancel),
            in_incident=True,
        ),
        Subcommand(
            ("duplicate",),
            DUPLICATE_USAGE,
            "Same problem as another incident: point people there and end this one.",
            ending(duplicate),
            in_incident=True,
        ),
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    """Both are commands only: nothing to listen for."""
