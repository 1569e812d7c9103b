"""Reading `/incident <subcommand> <rest>` as Slack delivers it.

The command is installed with `should_escape: true`, so Slack sends mentions as
`<@U123|alice>`, channels as `<#C123|name>`, links as `<https://…|label>`, and
`&`, `<`, `>` typed by the user as entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CommandText", "mentioned_users", "parse_command_text", "plain", "unescape"]

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_ESCAPED = re.compile(r"<([@#!]?)([^>|]*)(?:\|([^>]*))?>")


def unescape(text: str) -> str:
    """Undo Slack's entity encoding of `&`, `<`, `>`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str) -> str:
    """The text as the person typed it: `<@U1|alice>` → `@alice`, links → their label."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{label or target.split('^')[0]}"
        return label or target

    return unescape(_ESCAPED.sub(readable, text))


def mentioned_users(text: str) -> list[str]:
    return _USER.findall(text)


@dataclass(frozen=True)
class CommandText:
    subcommand: str
    rest: str
    """Still in Slack's escaped form: use `plain()` for text, `mentioned_users()` for people."""


def parse_command_text(text: str | None) -> CommandText:
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return CommandText("", "")
    return CommandText(unescape(words[0]).lower(), words[1] if len(words) > 1 else "")
