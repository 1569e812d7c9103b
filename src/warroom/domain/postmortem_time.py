"""Times and durations in a postmortem: aware UTC in, whole seconds, `1 h 05 min` out.

Used by `warroom.domain.postmortem` and its helpers; `MISSING` and `human_duration`
are re-exported from there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["MISSING", "as_utc", "as_utc_or_none", "human_duration", "seconds_between"]

MISSING = "—"


def human_duration(span: timedelta | int | None) -> str:
    """`1 h 05 min`, `3 min`, `45 s`, `2 d 4 h`; `—` for None. Whole units, rounded down."""
    if span is None:
        return MISSING
    total = int(span.total_seconds()) if isinstance(span, timedelta) else int(span)
    if total < 0:
        return MISSING
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"


def as_utc(at: datetime, what: str) -> datetime:
    """`at` in UTC; ValueError naming `what` when `at` is naive."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} {at!r} has no time zone; pass an aware datetime")
    return at.astimezone(UTC)


def as_utc_or_none(at: datetime | None, what: str) -> datetime | None:
    return None if at is None else as_utc(at, what)


def seconds_between(since: datetime | None, until: datetime | None) -> int | None:
    """Whole seconds from `since` to `until`; None when either is missing or time runs back."""
    if since is None or until is None or until < since:
        return None
    return int((until - since).total_seconds())
