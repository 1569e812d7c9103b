"""Status updates and reminders: `/incident update`, Post update, Snooze, the modal."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import NotPermitted, refuse_form
from warroom.bolt.listeners.replies import open_form_later, publish_later, tell_later
from warroom.runtime import Runtime
from warroom.services.fanout import fan_out
from warroom.services.reminders import NothingToSnooze
from warroom.slack.blocks.card import UPDATE_OPEN_ACTION
from warroom.slack.blocks.permissions import refusal_message
from warroom.slack.blocks.reminders import (
    SNOOZE_MINUTES,
    SNOOZE_PREFIX,
    nothing_to_snooze,
    snoozed_line,
)
from warroom.slack.blocks.status_update import UPDATE_CALLBACK_ID, parse_status_update
from warroom.slack.message import Message

__all__ = ["listen", "subcommands"]


def _open_form(
    runtime: Runtime, incident_id: int, *, trigger_id: str, actor: str, response_url: str | None
) -> None:
    async def build() -> dict[str, Any] | Message:
        try:
            await runtime.updates.check_post(incident_id, actor)
        except NotPermitted as refused:
            return refusal_message(refused, runtime.policy)
        return await runtime.updates.form(incident_id)

    open_form_later(
        runtime,
        build,
        trigger_id=trigger_id,
        actor=actor,
        response_url=response_url,
        name="open the update form",
    )


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def update(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        await ack()
        _open_form(
            runtime,
            invocation.incident.id,
            trigger_id=invocation.trigger_id,
            actor=invocation.user_id,
            response_url=invocation.response_url,
        )

    return [
        Subcommand(
            names=("update",),
            usage="/incident update",
            what="Post a status update: what is happening, impact, what we do, next update.",
            run=update,
            in_incident=True,
        )
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(UPDATE_OPEN_ACTION)
    async def on_open(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        _open_form(
            runtime,
            int(action["value"]),
            trigger_id=body["trigger_id"],
            actor=body["user"]["id"],
            response_url=body.get("response_url"),
        )

    @app.action(re.compile(f"^{re.escape(SNOOZE_PREFIX)}({'|'.join(map(str, SNOOZE_MINUTES))})$"))
    async def on_snooze(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        minutes = int(action["action_id"].removeprefix(SNOOZE_PREFIX))
        actor = body["user"]["id"]
        try:
            incident = await runtime.reminders.snooze(int(action["value"]), minutes, actor)
        except NothingToSnooze as nothing:
            await ack()
            tell_later(
                runtime,
                actor,
                nothing_to_snooze(nothing.incident, runtime.policy.zone),
                response_url=body.get("response_url"),
                room=(body.get("channel") or {}).get("id"),
            )
            return
        await ack()
        if incident.channel_id:
            line = snoozed_line(incident, actor, minutes, runtime.policy.zone)
            publish_later(
                runtime,
                incident,
                fan_out(
                    runtime.gateway.post(incident.channel_id, line),
                    runtime.surfaces.refresh(incident.id),
                ),
                actor=actor,
                response_url=body.get("response_url"),
                name=f"announce a snooze in {incident.reference}",
            )

    @app.view(UPDATE_CALLBACK_ID)
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        incident_id, form = parse_status_update(view)
        incident = await runtime.updates.load(incident_id)
        checked = runtime.updates.check(incident, form)
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
            return
        actor = body["user"]["id"]
        try:
            posted = await runtime.updates.post(incident_id, checked, actor)
        except NotPermitted as refused:
            await refuse_form(ack, runtime, refused)
            return
        await ack()
        publish_later(
            runtime,
            posted.incident,
            runtime.updates.publish(posted),
            actor=actor,
            name=f"publish a status update of {posted.incident.reference}",
        )
