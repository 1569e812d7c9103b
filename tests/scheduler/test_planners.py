"""Planners run where the scheduler starts: with the recurring jobs, on the first tick
that reaches the database (the weekly digest plans its next run this way)."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.domain.clock import ManualClock
from warroom.scheduler.tick import Scheduler
from warroom.store.engine import Store


async def test_planners_run_with_the_recurring_jobs(store: Store) -> None:
    ran: list[str] = []

    async def plan() -> None:
        ran.append("planned")

    scheduler = Scheduler(
        store, ManualClock(datetime(2026, 12, 3, tzinfo=UTC)), {}, planners=(plan,)
    )
    await scheduler.plan_recurring()
    assert ran == ["planned"]
