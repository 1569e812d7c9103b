"""Time is a parameter: services receive a `Clock` instead of reading the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "ManualClock", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock, always timezone-aware UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told: for tests, drills and the demo."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
