"""Someone changed their Slack profile (`user_change`, scope users:read): the user
directory keeps what Slack says now, so the next postmortem names them that way.

Events are not delivery-claimed; a repeated `user_change` writes the same entry again.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from warroom.bolt.listeners.commands import Subcommand
from warroom.runtime import Runtime
from warroom.slack.users import person_from

__all__ = ["listen", "subcommands"]


def subcommands(runtime: Runtime) -> list[Subcommand]:
    return []


def listen(app: AsyncApp, runtime: Runtime) -> None:
    people = runtime.people

    async def on_user_change(event: dict[str, Any]) -> None:
        person = person_from(event.get("user"))
        if person is not None:
            await people.changed(person)

    app.event("user_change")(on_user_change)
