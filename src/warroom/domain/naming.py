"""War-room channel names: `inc-<n>-<slug>`, always valid for Slack.

Slack channel names are lowercase `a-z0-9-_`, at most 80 characters. The
incident number is never shortened; the slug is, at a word boundary where it
can be. A title with nothing transliterable (emoji, non-Latin script) still
yields a valid name, just without a slug.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CHANNEL_NAME_MAX", "channel_name"]

CHANNEL_NAME_MAX = 80
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")


def _shorten(slug: str, room: int) -> str:
    if len(slug) <= room:
        return slug
    cut = slug[:room]
    if slug[room] != "-" and "-" in cut:
        cut = cut.rsplit("-", 1)[0]
    return cut.strip("-")


def channel_name(number: int, title: str, *, attempt: int = 1, prefix: str = "inc") -> str:
    """Name for incident `number`; `attempt` > 1 adds a suffix after `name_taken`."""
    head = f"{prefix}-{number}"
    tail = "" if attempt == 1 else f"-{attempt}"
    room = CHANNEL_NAME_MAX - len(head) - len(tail) - 1
    slug = _shorten(_slug(title), room) if room > 0 else ""
    return f"{head}-{slug}{tail}" if slug else f"{head}{tail}"
