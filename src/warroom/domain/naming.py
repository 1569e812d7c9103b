"""War-room channel names: `inc-<n>-<slug>` first, then names nobody can guess.

Slack channel names are lowercase `a-z0-9-_`, at most 80 characters. The
incident number is never shortened; the slug is, at a word boundary where it
can be.

Only the first name a declare tries is predictable, and only when the title
gives a slug: anyone in the workspace can create a channel, so every other
name (after `name_taken`, or for a title with nothing transliterable, such as
emoji or a non-Latin script) ends in a random suffix from `secrets`. A
squatter cannot pre-create them all and make the declare run out of names.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from collections.abc import Callable, Iterator

__all__ = ["CHANNEL_NAME_MAX", "SUFFIX_LENGTH", "channel_name", "room_names", "unguessable_suffix"]

CHANNEL_NAME_MAX = 80
SUFFIX_LENGTH = 8
"""36**8 ≈ 2.8e12 names per incident number and title."""
_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def unguessable_suffix() -> str:
    return "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))


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


def channel_name(number: int, title: str, *, suffix: str = "", prefix: str = "inc") -> str:
    """`inc-<n>-<slug>`, then `-<suffix>` if given; the slug is cut to fit, never the rest."""
    head = f"{prefix}-{number}"
    tail = f"-{suffix}" if suffix else ""
    room = CHANNEL_NAME_MAX - len(head) - len(tail) - 1
    slug = _shorten(_slug(title), room) if room > 0 else ""
    return f"{head}-{slug}{tail}" if slug else f"{head}{tail}"


def room_names(
    number: int, title: str, *, suffix: Callable[[], str] = unguessable_suffix
) -> Iterator[str]:
    """The names to try for the room, in order, without end: the readable one (when the
    title gives a slug), then the same with a fresh `suffix()` each time."""
    if _slug(title):
        yield channel_name(number, title)
    while True:
        yield channel_name(number, title, suffix=suffix())
