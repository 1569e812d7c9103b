"""`/incident`: one Slack command, routed to subcommands registered by feature modules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import parse_command_text
from warroom.domain.incident import Incident
from warroom.services.rooms import Rooms
from warroom.slack.blocks.help import not_in_incident, usage

__all__ = ["Invocation", "Subcommand", "route"]


@dataclass(frozen=True)
class Invocation:
    """One `/incident` use. `rest` is still Slack-escaped (see command_text)."""

    subcommand: str
    rest: str
    user_id: str
    channel_id: str
    team_id: str
    trigger_id: str
    response_url: str | None
    incident: Incident | None = None
    channel_name: str = ""
    """As Slack sends it: "directmessage" in a DM, "privategroup" in a private channel."""


Handler = Callable[[Invocation, AsyncAck], Awaitable[None]]


@dataclass(frozen=True)
class Subcommand:
    names: tuple[str, ...]
    usage: str
    what: str
    run: Handler
    in_incident: bool = False
    """Only meaningful in a war-room channel; elsewhere the user is told where to use it."""


def route(app: AsyncApp, *, rooms: Rooms, subcommands: Sequence[Subcommand]) -> None:
    table = {name: sub for sub in subcommands for name in sub.names}
    lines = [(sub.usage, sub.what) for sub in subcommands]

    @app.command("/incident")
    async def on_incident(ack: AsyncAck, command: dict[str, Any]) -> None:
        parsed = parse_command_text(command.get("text"))
        if parsed.subcommand in {"", "help"}:
            await _reply(ack, usage(lines))
            return
        sub = table.get(parsed.subcommand)
        if sub is None:
            await _reply(ack, usage(lines, not_understood=parsed.subcommand))
            return
        invocation = Invocation(
            subcommand=parsed.subcommand,
            rest=parsed.rest,
            user_id=command["user_id"],
            channel_id=command["channel_id"],
            team_id=command.get("team_id", ""),
            trigger_id=command.get("trigger_id", ""),
            response_url=command.get("response_url"),
            channel_name=str(command.get("channel_name") or ""),
        )
        if sub.in_incident:
            incident = await rooms.incident_in(invocation.channel_id)
            if incident is None:
                elsewhere = await rooms.open_incidents(
                    invocation.team_id, viewer=invocation.user_id
                )
                await _reply(ack, not_in_incident(parsed.subcommand, elsewhere))
                return
            invocation = replace(invocation, incident=incident)
        await sub.run(invocation, ack)


async def _reply(ack: AsyncAck, message: Any) -> None:
    await ack(text=message.text, blocks=message.blocks)
