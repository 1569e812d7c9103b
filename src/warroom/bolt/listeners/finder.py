"""`/incident list` and `/incident find`: incidents across the workspace, answered only
to the person who asked, with links to the war rooms. They work in any channel.

The answer is the command's own (ephemeral) response when it is ready within
`ANSWER_WITHIN_S`; when it is not (Slack slow to say who is in many private rooms),
the person is told it is coming and gets it through the response_url, so Slack's
3 seconds are never missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.replies import tell_actor
from warroom.domain.finding import BadListQuery
from warroom.runtime import Runtime
from warroom.slack.blocks.finder import (
    FIND_USAGE,
    LIST_USAGE,
    find_usage,
    found_incidents,
    incident_list,
    list_not_understood,
)
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["ANSWER_WITHIN_S", "listen", "subcommands"]

log = logging.getLogger(__name__)

ANSWER_WITHIN_S = 2.0
STILL_LOOKING = mrkdwn_message("🔎 Still looking… I'll answer here in a moment.")
NOT_FINISHED = mrkdwn_message("⚠️ I couldn't finish looking. Please try again in a minute.")


def listen(app: AsyncApp, runtime: Runtime) -> None:
    """Nothing but the two subcommands."""


def subcommands(runtime: Runtime) -> list[Subcommand]:
    finder, policy = runtime.finder, runtime.policy

    async def show_list(invocation: Invocation, ack: AsyncAck) -> None:
        async def answer() -> Message:
            try:
                listing = await finder.list(
                    invocation.team_id, invocation.user_id, plain(invocation.rest).split()
                )
            except BadListQuery as bad:
                return list_not_understood(bad, policy)
            return incident_list(listing, policy)

        await _answer_soon(runtime, invocation, ack, answer)

    async def find(invocation: Invocation, ack: AsyncAck) -> None:
        words = plain(invocation.rest).strip()
        if not words:
            await _ack(ack, find_usage())
            return

        async def answer() -> Message:
            found = await finder.find(invocation.team_id, invocation.user_id, words)
            return found_incidents(found, policy) if found.terms else find_usage()

        await _answer_soon(runtime, invocation, ack, answer)

    return [
        Subcommand(
            names=("list",),
            usage=LIST_USAGE,
            what="List incidents (open ones by default) with links to their rooms, only to you.",
            run=show_list,
        ),
        Subcommand(
            names=("find",),
            usage=FIND_USAGE,
            what="Search titles, summaries, impact and key timeline entries, only to you.",
            run=find,
        ),
    ]


async def _ack(ack: AsyncAck, message: Message) -> None:
    await ack(text=message.text, blocks=message.blocks)


async def _answer_soon(
    runtime: Runtime,
    invocation: Invocation,
    ack: AsyncAck,
    answer: Callable[[], Awaitable[Message]],
) -> None:
    """Acknowledge with the answer if it is ready in time; else say it is coming and
    send it through the response_url once it is. A failure in time is Bolt's to answer
    (the database being down is told to the person there)."""
    task = asyncio.ensure_future(answer())
    done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN_S)
    if done:
        await _ack(ack, task.result())
        return
    await _ack(ack, STILL_LOOKING)

    async def deliver() -> None:
        try:
            message = await task
        except Exception:
            log.exception(
                "/incident %s failed after the answer was promised", invocation.subcommand
            )
            message = NOT_FINISHED
        await tell_actor(
            runtime,
            invocation.user_id,
            message,
            response_url=invocation.response_url,
            room=invocation.channel_id,
        )

    runtime.background.spawn(deliver(), name=f"answer /incident {invocation.subcommand}")
