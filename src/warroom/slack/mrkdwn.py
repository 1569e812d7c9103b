"""The one place user text is made safe for Slack's mrkdwn.

Slack parses `<...>` as mentions, broadcasts and links and `&` as an entity, so
user text is escaped before it is placed in any mrkdwn field: `<!channel>` in a
title is shown, never sent. Text that arrives in Slack's format (messages, command
text) is requoted: its mentions and links are shown as words, never made live again.
Plain-text fields need no escaping.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from warroom.domain.local_time import local_time
from warroom.slack.blocks.limits import clip

__all__ = [
    "channel",
    "date",
    "escape",
    "escape_within",
    "inert",
    "requote",
    "requote_within",
    "user",
]

_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_within(text: str, limit: int) -> str:
    """Escape, then shorten so the escaped result fits `limit` without cutting an entity."""
    return clip(escape(text), limit)


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def date(moment: datetime, token: str = "{date_short_pretty} {time}", zone: tzinfo = UTC) -> str:
    """A time every reader sees in their own zone. The fallback, which notifications
    and clients that cannot render the token show, is in `zone` (the organisation's)."""
    return f"<!date^{int(moment.timestamp())}^{token}|{local_time(moment, zone)}>"


def inert(text: str) -> str:
    """Text in Slack's format (a message, a command's text) as its reader saw it, unlinked.

    `<@U1|alice>` → `@alice`, `<#C1|ops>` → `#ops`, `<!here>` → `@here`,
    `<!subteam^S1|@team>` → `@team`, `<https://x|docs>` → `docs (https://x)`, and
    `&amp;`, `&lt;`, `&gt;` undone. The result is plain text: `escape` it for mrkdwn.
    """

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil in {"@", "#"}:
            return sigil + (label or target)
        if sigil == "!":
            return label or "@" + target.split("^", 1)[0]
        return f"{label} ({target})" if label and label != target else target

    return (
        _MARKUP.sub(readable, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def requote(text: str) -> str:
    """Show Slack-format text safely: nothing in it notifies anyone or becomes a link.

    Quoting someone's message must not page the people, groups or channel it
    mentioned a second time, nor hide a link behind a label, so every `<…>`
    becomes its readable label (`inert`) and the result is escaped again.
    """
    return escape(inert(text))


def requote_within(text: str, limit: int) -> str:
    """`requote`, then shorten to `limit` without cutting an entity."""
    return escape_within(inert(text), limit)
