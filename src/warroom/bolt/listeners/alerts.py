"""The triage card's choices: Declare incident (the declare form, filled in from the
alerts; its submission is the declare listeners'), Attach to an open incident, Dismiss."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.listeners.commands import Subcommand
from warroom.bolt.listeners.replies import tell_actor
from warroom.runtime import Runtime
from warroom.services.alerts import AlertProblem
from warroom.slack.blocks.alerts import (
    ALERT_ATTACH_ACTION,
    ALERT_ATTACH_TO_ACTION,
    ALERT_DECLARE_ACTION,
    ALERT_DISMISS_ACTION,
)
from warroom.slack.blocks.declare_modal import DeclareOrigin, declare_modal
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.errors import SlackFailure

__all__ = ["listen", "subcommands"]


def subcommands(runtime: Runtime) -> list[Subcommand]:
    return []


def listen(app: AsyncApp, runtime: Runtime) -> None:
    async def decide(body: dict[str, Any], work: Any) -> None:
        try:
            await work
        except AlertProblem as problem:
            await tell_actor(
                runtime,
                body["user"]["id"],
                mrkdwn_message(f"⚠️ {problem}"),
                response_url=body.get("response_url"),
            )

    async def open_declare_form(body: dict[str, Any], group_id: int) -> None:
        user_id = body["user"]["id"]
        draft = await runtime.alert_desk.draft(group_id)
        team = body.get("team") or {}
        try:
            found = await runtime.similar.similar_open_incidents(
                str(team.get("id") or ""), user_id, draft.title, draft.impact, draft.labels
            )
        except Exception:  # a declaration is never held up by the check
            found = []
        similar = [s.incident for s in found]
        origin = DeclareOrigin(
            channel_id=(body.get("channel") or {}).get("id"),
            response_url=body.get("response_url"),
            checked=True,
            alert_group=group_id,
        )
        view = declare_modal(
            runtime.policy,
            title=draft.title,
            impact=draft.impact,
            severity=draft.severity,
            origin=origin,
            similar=similar,
        )
        try:
            await runtime.gateway.open_view(body["trigger_id"], view)
        except SlackFailure as failure:
            raise AlertProblem(
                f"I couldn't open the declare form (`{failure.error}`). {failure.advice}"
            ) from failure

    @app.action(ALERT_DECLARE_ACTION)
    async def on_declare(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        work = open_declare_form(body, int(action["value"]))
        runtime.background.spawn(decide(body, work), name="open the declare form")

    @app.action(re.compile(f"^({ALERT_ATTACH_ACTION}|{ALERT_ATTACH_TO_ACTION})$"))
    async def on_attach(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        chosen = action.get("selected_option") or action
        group_id, incident_id = (int(n) for n in chosen["value"].split(":"))
        work = runtime.alert_desk.attach(group_id, incident_id, by=body["user"]["id"])
        runtime.background.spawn(decide(body, work), name="attach alerts")

    @app.action(ALERT_DISMISS_ACTION)
    async def on_dismiss(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        work = runtime.alert_desk.dismiss(int(action["value"]), by=body["user"]["id"])
        runtime.background.spawn(decide(body, work), name="dismiss alerts")
