"""Small helpers shared by the builders."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from warroom.slack.message import Message

__all__ = ["clip", "mrkdwn_message"]


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mrkdwn_message(text: str) -> Message:
    """A one-section message whose fallback text is the same mrkdwn (already escaped)."""
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text)).to_dict()])
