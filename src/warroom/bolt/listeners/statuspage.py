"""`/incident statuspage show|hide`: put an incident on the public status page, or take it off."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import attempt_command
from warroom.runtime import Runtime
from warroom.services.status_page import FlagChange

__all__ = ["USAGE", "listen", "subcommands"]

USAGE = "/incident statuspage show|hide"
_WORDS = {"show": True, "on": True, "hide": False, "off": False}


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def statuspage(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        word = plain(invocation.rest).strip().lower()
        if word not in _WORDS:
            await ack(
                text=f"Say whether to show {invocation.incident.reference} on the public "
                f"status page or hide it: `{USAGE}`."
            )
            return
        service = runtime.status_page
        change = service.show if _WORDS[word] else service.hide
        done = await attempt_command(
            ack, runtime, change(invocation.incident.id, invocation.user_id)
        )
        if done is not None:
            await ack(text=_answer(done))

    return [
        Subcommand(
            ("statuspage",),
            USAGE,
            "Show this incident on the public status page, or hide it (never a private one).",
            statuspage,
            in_incident=True,
        )
    ]


def _answer(done: FlagChange) -> str:
    reference = done.incident.reference
    where = "on the public status page" if done.shown else "off the public status page"
    said = f"{reference} is {where} now." if done.changed else f"{reference} was already {where}."
    if done.shown:
        said += (
            " It shows the severity, the status, and each update's what is happening and "
            "impact as plain text; never names or links."
        )
    if not done.page_enabled:
        said += (
            " The status page itself is off: `[status_page] enabled = true` in the policy "
            "turns it on."
        )
    return said


def listen(app: AsyncApp, runtime: Runtime) -> None:
    """A command only: nothing to listen for."""
