"""`/incident`: route the subcommand; unknown input gets the usage list."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.domain.policy import Policy
from warroom.slack.blocks.declare_modal import DeclareOrigin, declare_modal
from warroom.slack.blocks.help import usage
from warroom.slack.command_text import parse_command_text, unescape
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.slack.message import Message

__all__ = ["register"]


def register(app: AsyncApp, *, policy: Policy, gateway: SlackGateway) -> None:
    @app.command("/incident")
    async def on_incident(ack: AsyncAck, command: dict[str, Any]) -> None:
        parsed = parse_command_text(command.get("text"))
        if parsed.subcommand in {"", "help"}:
            help_text = usage()
            await ack(text=help_text.text, blocks=help_text.blocks)
            return
        if parsed.subcommand != "declare":
            help_text = usage(not_understood=unescape(parsed.subcommand))
            await ack(text=help_text.text, blocks=help_text.blocks)
            return
        await ack()
        origin = DeclareOrigin(
            channel_id=command.get("channel_id"), response_url=command.get("response_url")
        )
        view = declare_modal(policy, title=parsed.rest, origin=origin)
        try:
            await gateway.open_view(command["trigger_id"], view)
        except SlackFailure as failure:
            note = f"⚠️ I couldn't open the declare form (`{failure.error}`). {failure.advice}"
            await gateway.tell(
                command["user_id"], Message(text=note), response_url=origin.response_url
            )
