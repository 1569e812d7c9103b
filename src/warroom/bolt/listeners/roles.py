"""Roles: Take and Hand off on the card, the Assign modal, and `/incident role`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import mentioned_users
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import (
    NotPermitted,
    refuse_button,
    refuse_command,
    refuse_form,
)
from warroom.bolt.listeners.replies import open_form_later, tell_actor, tell_later
from warroom.domain.changes import InvalidChoice
from warroom.runtime import Runtime
from warroom.services.roles import RoleChange, RoleHeld
from warroom.slack import mrkdwn
from warroom.slack.blocks.card import ROLE_ASSIGN_ACTION, ROLE_HANDOFF_PREFIX, ROLE_TAKE_PREFIX
from warroom.slack.blocks.changes import invalid_choice, not_refreshed, role_already_held
from warroom.slack.blocks.duties import duties_answer, role_confirmed
from warroom.slack.blocks.role_modal import (
    ASSIGN_CALLBACK_ID,
    assign_role_modal,
    parse_assign_submission,
)

__all__ = ["listen", "subcommands"]

ROLE_USAGE = "/incident role <ic|ops|comms|scribe> @person"


def _follow_up(
    runtime: Runtime,
    outcome: RoleChange | RoleHeld,
    *,
    actor: str,
    response_url: str | None,
) -> None:
    if isinstance(outcome, RoleHeld):
        note = role_already_held(outcome.role, outcome.holder, asker=actor)
        tell_later(
            runtime, actor, note, response_url=response_url, room=outcome.incident.channel_id
        )
        return

    async def publish_then_confirm() -> None:
        """Slack's side of the change, then one private word to whoever acted: what Slack
        refused, or that it is done (the holder's duties went to them by DM)."""
        failures = await runtime.roles.publish(outcome)
        incident = outcome.incident
        note = (
            not_refreshed(incident, failures)
            if failures
            else role_confirmed(outcome.role, incident, user_id=outcome.user_id, by=actor)
        )
        await tell_actor(runtime, actor, note, response_url=response_url, room=incident.channel_id)

    runtime.background.spawn(
        publish_then_confirm(),
        name=f"publish a role change in {outcome.incident.reference}",
    )


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def role(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        words = invocation.rest.split()
        users = mentioned_users(invocation.rest)
        if "me" in (w.lower() for w in words[1:]):
            users.append(invocation.user_id)
        if not words or len(users) != 1:
            await ack(text=f"Usage: `{mrkdwn.escape(ROLE_USAGE)}` (or `me` instead of @person).")
            return
        try:
            outcome = await runtime.roles.assign(
                invocation.incident.id, words[0], users[0], by=invocation.user_id
            )
        except InvalidChoice as invalid:
            note = invalid_choice(invalid)
            await ack(text=note.text, blocks=note.blocks)
            return
        except NotPermitted as refused:
            await refuse_command(ack, runtime, refused)
            return
        await ack()
        _follow_up(runtime, outcome, actor=invocation.user_id, response_url=invocation.response_url)

    async def duties(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        note = duties_answer(invocation.incident, runtime.policy, invocation.user_id)
        await ack(text=note.text, blocks=note.blocks)

    return [
        Subcommand(
            names=("role",),
            usage=ROLE_USAGE,
            what="Give a role to someone (a handoff if it is held).",
            run=role,
            in_incident=True,
        ),
        Subcommand(
            names=("duties",),
            usage="/incident duties",
            what="Show the duties of your roles (or of every role, and who holds it), only to you.",
            run=duties,
            in_incident=True,
        ),
    ]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(re.compile(f"^{re.escape(ROLE_TAKE_PREFIX)}"))
    async def on_take(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        role_key = action["action_id"].removeprefix(ROLE_TAKE_PREFIX)
        actor = body["user"]["id"]
        try:
            outcome = await runtime.roles.take(int(action["value"]), role_key, actor)
        except NotPermitted as refused:
            await refuse_button(ack, runtime, refused, response_url=body.get("response_url"))
            return
        await ack()
        _follow_up(runtime, outcome, actor=actor, response_url=body.get("response_url"))

    @app.action(re.compile(f"^({re.escape(ROLE_HANDOFF_PREFIX)}|{ROLE_ASSIGN_ACTION}$)"))
    async def on_open_assign(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        role_key = action["action_id"].removeprefix(ROLE_HANDOFF_PREFIX)
        incident_id = int(action["value"])
        chosen = None if role_key == ROLE_ASSIGN_ACTION else role_key

        async def build() -> dict[str, Any]:
            incident = await runtime.rooms.incident(incident_id)
            return assign_role_modal(runtime.policy, incident, role_key=chosen)

        open_form_later(
            runtime,
            build,
            trigger_id=body["trigger_id"],
            actor=body["user"]["id"],
            response_url=body.get("response_url"),
            name="open the assign-role form",
        )

    @app.view(ASSIGN_CALLBACK_ID)
    async def on_assign(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        incident_id, role_key, user_id = parse_assign_submission(view)
        if not role_key or not user_id:
            missing = {"role": "Pick a role."} if not role_key else {"user": "Pick a person."}
            await ack(response_action="errors", errors=missing)
            return
        actor = body["user"]["id"]
        try:
            outcome = await runtime.roles.assign(incident_id, role_key, user_id, by=actor)
        except NotPermitted as refused:
            await refuse_form(ack, runtime, refused)
            return
        await ack()
        _follow_up(runtime, outcome, actor=actor, response_url=None)
