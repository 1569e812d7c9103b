"""Durations as people write them in a policy file: `45s`, `30m`, `1h`, `1h30m`, `2d`.

Whole numbers followed by a unit, largest unit first, each unit at most once:
`d` (days), `h` (hours), `m` (minutes), `s` (seconds). `0s` is allowed, so a
drill can shrink a clock to nothing. Anything else, including spaces inside,
signs, fractions and upper-case units, is refused with a message that says what
is accepted. `format_duration` is the inverse and writes the shortest form.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["DURATION_EXAMPLES", "format_duration", "parse_duration"]

DURATION_EXAMPLES = "45s, 30m, 1h, 1h30m or 2d"
"""How to write a duration, for error messages: `write it like {DURATION_EXAMPLES}`."""

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def parse_duration(text: str) -> timedelta:
    """`"1h30m"` -> `timedelta(hours=1, minutes=30)`; ValueError for anything else."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None:
        raise ValueError(
            f"{text!r} is not a duration; write it like {DURATION_EXAMPLES} "
            "(whole numbers with units d, h, m, s, largest first)"
        )
    days, hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} is too long to be a duration") from None


def format_duration(duration: timedelta) -> str:
    """The shortest text `parse_duration` reads back as `duration`: `1h30m`, `2d`, `0s`."""
    if duration < timedelta(0) or duration.microseconds:
        raise ValueError(f"{duration!r} is not a whole, non-negative number of seconds")
    remaining = duration.days * 86_400 + duration.seconds
    parts = []
    for unit, size in _UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
