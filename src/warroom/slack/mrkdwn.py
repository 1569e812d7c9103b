"""The one place user text is made safe for Slack's mrkdwn.

Slack parses `<...>` as mentions, broadcasts and links and `&` as an entity, so
user text is escaped before it is placed in any mrkdwn field: `<!channel>` in a
title is shown, never sent. Plain-text fields need no escaping.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["channel", "date", "escape", "escape_within", "user"]


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
