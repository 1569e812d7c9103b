"""Reading `/incident <subcommand> <rest>` as Slack delivers it.

The command is installed with `should_escape: true`, so Slack sends mentions as
`<@U123|alice>`, channels as `<#C123|name>`, links as `<https://…|label>`, and
`&`, `<`, `>` typed by the user as entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warroom.slack import mrkdwn

__all__ = [
    "CommandText",
    "mentioned_users",
    "parse_command_text",
    "plain",
    "split_action_item",
    "unescape",
]

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def unescape(text: str) -> str:
    """Undo Slack's entity encoding of `&`, `<`, `>`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str) -> str:
    """The text as the person typed it: `<@U1|alice>` → `@alice`, links → `label (url)`."""
    return mrkdwn.inert(text)


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


_TRAILING_USER = re.compile(r"\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*$")
_LEADING_USER = re.compile(r"^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s+(?=\S)")
_TRAILING_DUE = re.compile(r"(?:^|\s+)due[:\s]\s*(\d\S*)\s*$", re.IGNORECASE)


def split_action_item(rest: str) -> tuple[str, str | None, str | None]:
    """`[@owner] <text> [@owner] [due YYYY-MM-DD]` (owner and due in either order at the
    end, or the owner first, as in "@bob add an alert").

    Returns (text still Slack-escaped, owner's user ID, the due date as typed). Only a
    mention at the very end or the very start names the owner (the end wins), so
    people mentioned inside the text stay text;
    `due` followed by something starting with a digit is the due clause, so "what is due
    today" stays text. The date is returned as typed for the caller to check.
    """
    text, owner, due = rest.strip(), None, None
    for _ in range(2):
        if owner is None and (mention := _TRAILING_USER.search(text)):
            owner, text = mention.group(1), text[: mention.start()].rstrip()
        elif due is None and (clause := _TRAILING_DUE.search(text)):
            due, text = clause.group(1), text[: clause.start()].rstrip()
    if owner is None and (mention := _LEADING_USER.match(text)):
        owner, text = mention.group(1), text[mention.end() :]
    return text, owner, due
