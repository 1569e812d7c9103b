"""Declaring: the `declare` subcommand, the modal's submission, and Retry after a failed setup."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.domain.declaration import validate_declaration
from warroom.runtime import Runtime
from warroom.slack.blocks.declare_modal import (
    CALLBACK_ID,
    DeclareOrigin,
    declare_modal,
    parse_declare_submission,
)
from warroom.slack.blocks.notices import DECLARE_RETRY_ACTION
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = ["listen", "subcommands"]

log = logging.getLogger(__name__)

STORE_DOWN = "Warroom couldn't save the incident just now. Press Declare again in a moment."
NOT_PUBLIC = frozenset({"directmessage", "privategroup"})
"""A slash command's `channel_name` in a DM and in a private channel."""


def _public(channel_name: str) -> bool:
    """Typed in a public channel: not a DM, a group DM ("mpdm-…") or a private channel
    (an unknown name counts as not public)."""
    return bool(channel_name) and channel_name not in NOT_PUBLIC and "mpdm-" not in channel_name


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team") or {}
    return str(team.get("id") or body.get("user", {}).get("team_id") or "")


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def open_form(invocation: Invocation) -> None:
        origin = DeclareOrigin(
            invocation.channel_id,
            invocation.response_url,
            public=_public(invocation.channel_name),
        )
        view = declare_modal(runtime.policy, title=plain(invocation.rest), origin=origin)
        try:
            await runtime.gateway.open_view(invocation.trigger_id, view)
        except SlackFailure as failure:
            note = f"⚠️ I couldn't open the declare form (`{failure.error}`). {failure.advice}"
            await runtime.gateway.tell(
                invocation.user_id, Message(text=note), response_url=origin.response_url
            )

    async def declare(invocation: Invocation, ack: AsyncAck) -> None:
        await ack()
        runtime.background.spawn(open_form(invocation), name="open the declare form")

    return [
        Subcommand(
            names=("declare",),
            usage="/incident declare [title]",
            what="Open a war room: severity, impact, responders.",
            run=declare,
        )
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    service = runtime.declare

    @app.view(CALLBACK_ID)
    async def on_declare_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form, origin = parse_declare_submission(view)
        checked = validate_declaration(form, runtime.policy, runtime.clock())
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
            return
        try:
            incident = await service.record(
                team_id=_team_id(body),
                reporter_id=body["user"]["id"],
                declaration=checked,
                declare_key=f"view:{view['id']}",
                origin_channel=origin.public_channel,
            )
        except Exception:
            log.exception("could not record a declaration")
            await ack(response_action="errors", errors={"title": STORE_DOWN})
            return
        await ack()
        runtime.background.spawn(
            service.provision(incident.id, response_url=origin.response_url),
            name=f"build the war room of {incident.reference}",
        )

    @app.action(DECLARE_RETRY_ACTION)
    async def on_declare_retry(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        runtime.background.spawn(
            service.provision(
                int(action["value"]), response_url=body.get("response_url"), replace_original=True
            ),
            name="retry a war room setup",
        )
