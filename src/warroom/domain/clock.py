"""Time is a parameter: services receive a `Clock` instead of reading the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock, always timezone-aware UTC."""
    return datetime.now(UTC)
