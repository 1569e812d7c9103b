"""The App Home tab: published when someone opens it, and its Declare incident button.

Opening the Home remembers who opened it (before the ack, so a database outage is
answered 503 and Slack delivers the event again), then publishes it in the
background. The Home's Done / Won't do buttons are the action items' own
(`warroom.bolt.listeners.action_items`), which republish the Home when pressed
there (`pressed_on_home`, `republish_home`).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.listeners.commands import Subcommand
from warroom.runtime import Runtime
from warroom.slack.blocks.declare_modal import DeclareOrigin, declare_modal
from warroom.slack.blocks.home import DECLARE_ACTION
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = ["listen", "pressed_on_home", "republish_home", "subcommands"]

log = logging.getLogger(__name__)

Json = dict[str, Any]
HOME_TAB = "home"


def pressed_on_home(body: Json) -> bool:
    """Was this block action pressed on the App Home tab (not a message or a modal)?"""
    return bool((body.get("view") or {}).get("type") == HOME_TAB)


def team_of(body: Json) -> str:
    team = body.get("team") or {}
    user = body.get("user") or {}
    view = body.get("view") or {}
    return str(
        (team.get("id") if isinstance(team, dict) else team)
        or body.get("team_id")
        or user.get("team_id")
        or view.get("team_id")
        or ""
    )


async def republish_home(runtime: Runtime, user_id: str, team_id: str) -> None:
    """Publish `user_id`'s Home now (a button on it was pressed: it has no response_url)."""
    try:
        await runtime.homes.publish(user_id, team_id)
    except SlackFailure as failure:
        log.warning("could not republish the Home of %s: %s", user_id, failure)


def subcommands(runtime: Runtime) -> list[Subcommand]:
    """The Home adds no `/incident` words."""
    return []


def listen(app: AsyncApp, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(event: Json, body: Json) -> None:
        if event.get("tab") != HOME_TAB:
            return  # the Messages tab: nothing to publish
        user_id = str(event.get("user") or "")
        team_id = team_of({**body, "view": event.get("view") or {}})
        if not user_id or not team_id:
            return
        event_ts = event.get("event_ts")
        first = await runtime.homes.opened(
            user_id, team_id, event=str(event_ts)[:32] if event_ts else None
        )
        if not first:
            return  # Slack's retry of an opening already handled
        runtime.background.spawn(
            republish_home(runtime, user_id, team_id), name="publish a Home tab"
        )

    @app.action(DECLARE_ACTION)
    async def on_declare(ack: AsyncAck, body: Json) -> None:
        await ack()
        actor = body["user"]["id"]
        view = declare_modal(runtime.policy, title="", origin=DeclareOrigin())

        async def open_form() -> None:
            try:
                await runtime.gateway.open_view(body["trigger_id"], view)
            except SlackFailure as failure:
                note = f"⚠️ I couldn't open the declare form (`{failure.error}`). {failure.advice}"
                try:
                    await runtime.gateway.tell(actor, Message(text=note), response_url=None)
                except SlackFailure as told:
                    log.error("could not tell %s: %s", actor, told)

        runtime.background.spawn(open_form(), name="open the declare form from the Home")
