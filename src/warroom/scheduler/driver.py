"""APScheduler drives the tick at a fixed interval; it holds no jobs of its own.

A tick that fails never stops the next one: what was due stays due (a claimed
job falls due again when its lease runs out). While the database is down each
tick says so in one line instead of a traceback a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from warroom.scheduler.tick import Scheduler
from warroom.store.engine import DatabaseUnavailable

__all__ = ["ticking"]

log = logging.getLogger(__name__)


@asynccontextmanager
async def ticking(scheduler: Scheduler, every_s: float) -> AsyncIterator[None]:
    """Tick now and every `every_s` seconds until the block ends, which waits for a tick
    in progress so the store is never closed under it. A tick still running when the
    next is due is not doubled (`max_instances=1`, `coalesce`). Recurring jobs are
    planned by the first tick that reaches the database."""
    planned = False
    ticking_now = asyncio.Lock()

    async def tick() -> None:
        async with ticking_now:
            await tick_once()

    async def tick_once() -> None:
        nonlocal planned
        try:
            if not planned:
                await scheduler.plan_recurring()
                planned = True
            report = await scheduler.tick()
        except DatabaseUnavailable as down:
            log.warning("scheduler tick skipped, the database is unavailable: %s", down)
            return
        except Exception:
            log.exception("scheduler tick failed; the jobs stay due")
            return
        if report.claimed:
            log.info("tick: %s", report)

    driver = AsyncIOScheduler(timezone=UTC)
    driver.add_job(
        tick,
        "interval",
        seconds=every_s,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    driver.start()
    try:
        yield
    finally:
        driver.pause()
        async with ticking_now:  # APScheduler's shutdown cancels a tick still running
            driver.shutdown(wait=False)
        await scheduler.idle()
