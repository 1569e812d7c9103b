"""The one place user text is made safe for Slack's mrkdwn.

Slack parses `<...>` as mentions, broadcasts and links and `&` as an entity, so
user text is escaped before it is placed in any mrkdwn field: `<!channel>` in a
title is shown, never sent. Plain-text fields need no escaping.
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["channel", "date", "escape", "escape_within", "requote", "requote_within", "user"]

_SPECIAL = re.compile(r"<!([^<>|]*)(?:\|([^<>]*))?>")
_ATOM = re.compile(r"<[^>]*>|&[a-z]+;|.", re.DOTALL)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_within(text: str, limit: int) -> str:
    """Escape, then shorten so the escaped result fits `limit` without cutting an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    room = limit - 1
    while len(escape(text[:room])) > limit - 1:
        room -= 1
    return escape(text[:room].rstrip()) + "…"


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def date(moment: datetime, token: str = "{date_short_pretty} {time}") -> str:
    """A time every reader sees in their own zone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"


def requote(text: str) -> str:
    """Show text that is already in Slack's format (a message, a command's text) safely.

    Mentions of people and channels, links and entities stay as they are;
    `<!channel>`, `<!here>`, `<!subteam^…|@team>` and `<!date^…|label>` become
    their readable label, so quoting a message never notifies anyone.
    """

    def inert(match: re.Match[str]) -> str:
        name, label = match.groups()
        if label:
            return label
        return "@" + name.split("^", 1)[0]

    return _SPECIAL.sub(inert, text).replace("<!", "&lt;!")


def requote_within(text: str, limit: int) -> str:
    """`requote`, then shorten to `limit` without cutting a mention, link or entity."""
    quoted = requote(text)
    if len(quoted) <= limit:
        return quoted
    kept: list[str] = []
    size = 0
    for atom in _ATOM.findall(quoted):
        if size + len(atom) > limit - 1:
            break
        kept.append(atom)
        size += len(atom)
    return "".join(kept).rstrip() + "…"
