"""The `/incident` usage text, and where incident commands can be used."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["not_in_incident", "usage"]

SHOWN_ELSEWHERE = 5


def usage(commands: Sequence[tuple[str, str]], *, not_understood: str | None = None) -> Message:
    lines = [f"`{mrkdwn.escape(command)}` — {mrkdwn.escape(what)}" for command, what in commands]
    lines.append("`/incident help` — Show this list.")
    intro = "*Warroom commands*"
    if not_understood is not None:
        shown = mrkdwn.escape_within(not_understood, 100)
        intro = f"I didn't understand `{shown}`. Here is what I can do:"
    return mrkdwn_message(intro + "\n" + "\n".join(lines))


def not_in_incident(subcommand: str, open_incidents: Sequence[Incident]) -> Message:
    text = (
        f"`/incident {mrkdwn.escape_within(subcommand, 40)}` works inside an incident's "
        "war-room channel. Run it there."
    )
    rooms = [i for i in open_incidents if i.channel_id][:SHOWN_ELSEWHERE]
    if rooms:
        listed = ", ".join(f"{mrkdwn.channel(i.channel_id or '')} ({i.reference})" for i in rooms)
        text += f"\nOpen incidents: {listed}"
    return mrkdwn_message(text)
