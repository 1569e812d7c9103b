"""Resolve (card button, `/incident resolve`), Reopen, and `/incident close`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import (
    NotPermitted,
    attempt_command,
    refuse_button,
    refuse_form,
)
from warroom.bolt.listeners.replies import open_form_later, publish_later, tell_later
from warroom.runtime import Runtime
from warroom.services.lifecycle import LifecycleChange, Refused
from warroom.slack.blocks.card import REOPEN_ACTION, RESOLVE_ACTION
from warroom.slack.blocks.lifecycle import RESOLVE_CALLBACK_ID, parse_resolve, resolve_modal
from warroom.slack.blocks.permissions import refusal_message
from warroom.slack.blocks.postmortem import POSTMORTEM_COMPLETE_ACTION, draft_on_its_way
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["listen", "subcommands"]


def _publish(
    runtime: Runtime, change: LifecycleChange, *, actor: str, response_url: str | None
) -> None:
    publish_later(
        runtime,
        change.incident,
        runtime.lifecycle.publish(change),
        actor=actor,
        response_url=response_url,
        name=f"publish {change.incident.reference} {change.kind}",
    )


def _open_resolve(
    runtime: Runtime, incident_id: int, *, trigger_id: str, actor: str, response_url: str | None
) -> None:
    async def build() -> dict[str, Any] | Message:
        try:
            await runtime.lifecycle.check_resolve(incident_id, actor)
        except NotPermitted as refused:
            return refusal_message(refused, runtime.policy)
        incident = await runtime.rooms.incident(incident_id)
        if incident.resolved_at is not None:
            return mrkdwn_message(f"{incident.reference} is already resolved.")
        return resolve_modal(incident)

    open_form_later(
        runtime,
        build,
        trigger_id=trigger_id,
        actor=actor,
        response_url=response_url,
        name="open the resolve form",
    )


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def resolve(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        await ack()
        _open_resolve(
            runtime,
            invocation.incident.id,
            trigger_id=invocation.trigger_id,
            actor=invocation.user_id,
            response_url=invocation.response_url,
        )

    def change(
        act: Callable[[int, str, str], Awaitable[LifecycleChange]],
    ) -> Callable[[Invocation, AsyncAck], Awaitable[None]]:
        async def run(invocation: Invocation, ack: AsyncAck) -> None:
            assert invocation.incident is not None
            rest = plain(invocation.rest)
            done = await attempt_command(
                ack, runtime, act(invocation.incident.id, invocation.user_id, rest)
            )
            if done is None:
                return
            await ack()
            _publish(runtime, done, actor=invocation.user_id, response_url=invocation.response_url)

        return run

    async def postmortem(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        request = await attempt_command(
            ack, runtime, runtime.postmortems.request(invocation.incident.id)
        )
        if request is None:
            return
        await ack(text=draft_on_its_way(invocation.incident.reference, joined=request.joined))
        runtime.background.spawn(
            runtime.scheduler.run_now(request.job_id),
            name=f"draft the postmortem of {invocation.incident.reference}",
        )

    lifecycle = runtime.lifecycle
    return [
        Subcommand(
            ("resolve",),
            "/incident resolve",
            "Resolve: stops reminders, drafts the postmortem.",
            resolve,
            in_incident=True,
        ),
        Subcommand(
            ("reopen",),
            "/incident reopen",
            "Back to investigating; reminders resume.",
            change(lambda incident_id, user, _rest: lifecycle.reopen(incident_id, user)),
            in_incident=True,
        ),
        Subcommand(
            ("postmortem",),
            "/incident postmortem",
            "Draft the postmortem again with the newest entries.",
            postmortem,
            in_incident=True,
        ),
        Subcommand(
            ("close",),
            "/incident close [reason]",
            "Close once the postmortem and action items are done (a reason: no postmortem).",
            change(lifecycle.close),
            in_incident=True,
        ),
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(RESOLVE_ACTION)
    async def on_resolve(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        _open_resolve(
            runtime,
            int(action["value"]),
            trigger_id=body["trigger_id"],
            actor=body["user"]["id"],
            response_url=body.get("response_url"),
        )

    @app.action(REOPEN_ACTION)
    @app.action(POSTMORTEM_COMPLETE_ACTION)
    async def on_button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        actor, response_url = body["user"]["id"], body.get("response_url")
        act = (
            runtime.lifecycle.reopen
            if action["action_id"] == REOPEN_ACTION
            else runtime.lifecycle.close
        )
        try:
            change = await act(int(action["value"]), actor)
        except Refused as refused:
            await ack()
            tell_later(runtime, actor, mrkdwn_message(str(refused)), response_url=response_url)
            return
        except NotPermitted as refused:
            await refuse_button(ack, runtime, refused, response_url=response_url)
            return
        await ack()
        _publish(runtime, change, actor=actor, response_url=response_url)

    @app.view(RESOLVE_CALLBACK_ID)
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        incident_id, resolution, root_cause = parse_resolve(view)
        if not resolution:
            await ack(response_action="errors", errors={"resolution": "Say how it was resolved."})
            return
        actor = body["user"]["id"]
        try:
            change = await runtime.lifecycle.resolve(incident_id, resolution, root_cause, actor)
        except Refused as refused:
            await ack(response_action="errors", errors={"resolution": str(refused)})
            return
        except NotPermitted as refused:
            await refuse_form(ack, runtime, refused)
            return
        await ack()
        _publish(runtime, change, actor=actor, response_url=None)
