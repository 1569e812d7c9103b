"""`/incident stats [7d|30d|90d]`: figures across the workspace's incidents, answered
privately to whoever asked, anywhere. The answer names no incident, so everyone may
ask: a private incident is counted, never named."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.runtime import Runtime
from warroom.slack.blocks.stats import PERIODS, STATS_USAGE, stats_message, stats_usage

__all__ = ["listen", "subcommands"]

DEFAULT = "30d"


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def stats(invocation: Invocation, ack: AsyncAck) -> None:
        given = plain(invocation.rest).strip()
        days = PERIODS.get(given.lower() or DEFAULT)
        if days is None:
            message = stats_usage(given)
        else:
            report = await runtime.reports.last(days, team=invocation.team_id)
            message = stats_message(report)
        await ack(text=message.text, blocks=message.blocks)

    return [
        Subcommand(
            ("stats",),
            STATS_USAGE,
            "Figures across incidents (last 30 days unless told): are we getting better?",
            stats,
        )
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    """A command only: nothing to listen for."""
