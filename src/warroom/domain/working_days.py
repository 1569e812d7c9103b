"""Working days: when a follow-up falls due, counted in the policy's business hours.

Pure functions of `BusinessHours` and a moment; every result is in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from warroom.domain.policy import BusinessHours

__all__ = ["after_working_days", "next_working_day", "overdue_at"]


def overdue_at(hours: BusinessHours, due_on: date) -> datetime:
    """When business hours first open after the due date has ended, in UTC."""
    day_after = datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=hours.zone)
    return hours.next_open(day_after).astimezone(UTC)


def next_working_day(hours: BusinessHours, at: datetime) -> datetime:
    """A working day after `at`: the same time tomorrow, or the next opening after it."""
    return hours.next_open(at + timedelta(days=1)).astimezone(UTC)


def after_working_days(hours: BusinessHours, at: datetime, days: int) -> datetime:
    """`days` working days after `at`, at the same local time (or the next opening)."""
    local = at.astimezone(hours.zone)
    day, counted = local.date(), 0
    for _ in range(days * 7 + 7):
        if counted == days:
            break
        day += timedelta(days=1)
        counted += day.weekday() in hours.weekdays
    moment = datetime.combine(day, local.time(), tzinfo=hours.zone)
    return hours.next_open(moment).astimezone(UTC)
