"""Splitting `/incident <subcommand> <rest>` as Slack delivers it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CommandText", "parse_command_text", "unescape"]


def unescape(text: str) -> str:
    """Slack sends `&`, `<`, `>` in command text as entities; undo that for plain text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class CommandText:
    subcommand: str
    rest: str


def parse_command_text(text: str | None) -> CommandText:
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return CommandText("", "")
    return CommandText(words[0].lower(), unescape(words[1]) if len(words) > 1 else "")
