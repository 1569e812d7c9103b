"""The `/incident` usage text."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from warroom.slack import mrkdwn
from warroom.slack.message import Message

__all__ = ["usage"]

COMMANDS = (
    ("/incident declare [title]", "Open a war room: pick severity, impact, responders."),
    ("/incident help", "Show this list."),
)


def usage(*, not_understood: str | None = None) -> Message:
    lines = [f"`{command}` — {what}" for command, what in COMMANDS]
    intro = "*Warroom commands*"
    if not_understood is not None:
        shown = mrkdwn.escape_within(not_understood, 100)
        intro = f"I didn't understand `{shown}`. Here is what I can do:"
    text = intro + "\n" + "\n".join(lines)
    return Message(
        text=text,
        blocks=[SectionBlock(text=MarkdownTextObject(text=text)).to_dict()],
    )
