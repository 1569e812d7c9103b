"""A moment as people in one zone read it: "2026-03-29 03:30 CEST"."""

from __future__ import annotations

from datetime import datetime, tzinfo

__all__ = ["local_time", "utc_offset"]


def utc_offset(local: datetime) -> str:
    """`UTC+02:00` for an aware local time."""
    offset = local.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time(at: datetime, zone: tzinfo, *, seconds: bool = False) -> str:
    """`at` in `zone` with the zone's abbreviation, or its offset where the zone has no
    abbreviation (tz database names like "-03" are numbers, not names)."""
    local = at.astimezone(zone)
    name = local.tzname() or ""
    if not name.isalpha():
        name = utc_offset(local)
    return f"{local:%Y-%m-%d %H:%M:%S} {name}" if seconds else f"{local:%Y-%m-%d %H:%M} {name}"
