"""Severity and status: the card's pickers and `/incident severity|status`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import NotPermitted, refuse_button, refuse_command
from warroom.bolt.listeners.replies import publish_later, tell_later
from warroom.domain.changes import InvalidChoice
from warroom.runtime import Runtime
from warroom.services.state import StateChange
from warroom.slack.blocks.card import SEVERITY_ACTION, STATUS_ACTION
from warroom.slack.blocks.changes import invalid_choice
from warroom.slack.blocks.text import mrkdwn_message

__all__ = ["listen", "subcommands"]

Change = Callable[[int, str, str], Awaitable[StateChange | None]]


def _publish(
    runtime: Runtime, change: StateChange | None, *, actor: str, response_url: str | None
) -> None:
    if change is None:
        return
    publish_later(
        runtime,
        change.incident,
        runtime.state.publish(change),
        actor=actor,
        response_url=response_url,
        name=f"publish a {change.field} change in {change.incident.reference}",
    )


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def severity(invocation: Invocation, ack: AsyncAck) -> None:
        await _set(invocation, ack, runtime.state.change_severity)

    async def status(invocation: Invocation, ack: AsyncAck) -> None:
        await _set(invocation, ack, runtime.state.change_status)

    async def _set(invocation: Invocation, ack: AsyncAck, change: Change) -> None:
        assert invocation.incident is not None
        try:
            outcome = await change(invocation.incident.id, invocation.rest, invocation.user_id)
        except InvalidChoice as invalid:
            note = invalid_choice(invalid)
            await ack(text=note.text, blocks=note.blocks)
            return
        except NotPermitted as refused:
            await refuse_command(ack, runtime, refused)
            return
        if outcome is None:
            await ack(
                text=f"{invocation.incident.reference} already has that {invocation.subcommand}."
            )
            return
        await ack()
        _publish(runtime, outcome, actor=invocation.user_id, response_url=invocation.response_url)

    severities = "|".join(runtime.policy.severity_keys())
    return [
        Subcommand(
            names=("severity", "sev"),
            usage=f"/incident severity <{severities}>",
            what="Change the severity.",
            run=severity,
            in_incident=True,
        ),
        Subcommand(
            names=("status",),
            usage=f"/incident status <{'|'.join(runtime.policy.settable_statuses())}>",
            what="Change the status.",
            run=status,
            in_incident=True,
        ),
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(SEVERITY_ACTION)
    @app.action(STATUS_ACTION)
    async def on_pick(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        actor, response_url = body["user"]["id"], body.get("response_url")
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
            "channel_id", ""
        )
        picked = (action.get("selected_option") or {}).get("value", "")
        incident_id = await runtime.rooms.incident_id_in(channel)
        if incident_id is None:
            await ack()
            note = mrkdwn_message("This card's incident isn't in Warroom's store any more.")
            tell_later(runtime, actor, note, response_url=response_url)
            return
        change = (
            runtime.state.change_severity
            if action["action_id"] == SEVERITY_ACTION
            else runtime.state.change_status
        )
        try:
            outcome = await change(incident_id, picked, actor)
        except InvalidChoice as invalid:
            await ack()
            tell_later(runtime, actor, invalid_choice(invalid), response_url=response_url)
            return
        except NotPermitted as refused:
            await refuse_button(ack, runtime, refused, response_url=response_url)
            return
        await ack()
        _publish(runtime, outcome, actor=actor, response_url=response_url)
