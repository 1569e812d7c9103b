"""One tick: claim what is due, run it, record the outcome.

APScheduler only drives `tick()` at a fixed interval; everything that is due
lives in the `due_jobs` table, so reminders survive restarts and any number of
replicas share the work without sending anything twice. A job that Slack
refuses for a passing reason (rate limit, outage) stays due with backoff; one
that can never succeed is marked failed with the reason; the tick always
goes on with the others.

A claim is a lease: if this process dies, another replica takes the job over
once the lease runs out. So that a slow job is never taken over while it still
runs here (and its reminder sent twice), a tick gives up on its jobs at half
the lease: one still running is cancelled and retried later, one not started
yet is left to fall due again when its lease ends.

A recurring job (pruning) is planned when the scheduler starts and plans its
next run as it finishes, done or failed for good; the database keeps at most
one pending, however many replicas plan it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from warroom.domain.clock import Clock
from warroom.store import jobs
from warroom.store.engine import Session, Store
from warroom.store.jobs import Job, Planned

__all__ = ["JobHandler", "Scheduler", "TickReport"]

log = logging.getLogger(__name__)

JobHandler = Callable[[Job], Awaitable[Sequence[Planned] | None]]
"""Runs one job; may return jobs to plan next for the same incident (a reminder that
repeats). They are added in the transaction that marks the job done, so a job run
again after a crash never plans its follow-ups twice."""

LEASE = timedelta(minutes=2)
BATCH = 100
CONCURRENCY = 10
MAX_ATTEMPTS = 12
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=15)


@dataclass(frozen=True)
class TickReport:
    claimed: int
    done: int
    retried: int
    failed: int


def backoff(attempts: int) -> timedelta:
    doubled: timedelta = BACKOFF_FIRST * (2 ** max(attempts - 1, 0))
    return min(doubled, BACKOFF_MAX)


def every_failure_passes(_error: BaseException) -> bool:
    return True


@dataclass
class Scheduler:
    store: Store
    clock: Clock
    handlers: Mapping[str, JobHandler]
    batch: int = BATCH
    lease: timedelta = LEASE
    recurring: Mapping[str, timedelta] = field(default_factory=dict)
    """Job kind -> time from one run's end to the next."""
    transient: Callable[[BaseException], bool] = every_failure_passes
    """Whether a handler's failure may pass (retry with backoff) or never will (give up)."""
    planners: Sequence[Callable[[], Awaitable[None]]] = ()
    """Run with `plan_recurring`: jobs that plan their own next run at a time of their
    choosing (the weekly digest), planned where the scheduler starts."""
    _running: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def tick(self) -> TickReport:
        """Run everything due now. Overlapping ticks in one process wait for each other."""
        async with self._running:
            loop = asyncio.get_running_loop()
            give_up_at = loop.time() + self.lease.total_seconds() / 2
            async with self.store.transaction() as session:
                due = await jobs.claim(
                    session, now=self.clock(), lease=self.lease, limit=self.batch
                )
            if due:
                log.info(
                    "leased job(s) %s for %s", ",".join(str(job.id) for job in due), self.lease
                )
            limit = asyncio.Semaphore(CONCURRENCY)

            async def run(job: Job) -> str:
                async with limit:
                    left = give_up_at - loop.time()
                    if left <= 0:
                        log.warning("job %s %s not started within half its lease", job.id, job.kind)
                        return "retried"
                    return await self._run(job, left)

            outcomes = await asyncio.gather(*(run(job) for job in due))
        return TickReport(
            claimed=len(due),
            done=outcomes.count("done"),
            retried=outcomes.count("retried"),
            failed=outcomes.count("failed"),
        )

    async def run_now(self, job_id: int) -> None:
        """Run one job just queued for someone who is waiting, instead of at the next
        tick. It is claimed exactly as a tick claims, so if a tick or another replica
        took it first (or it already ran), this does nothing."""
        async with self.store.transaction() as session:
            job = await jobs.claim_one(session, job_id, now=self.clock(), lease=self.lease)
        if job is not None:
            log.info("leased job %s %s for %s", job.id, job.kind, self.lease)
            await self._run(job, self.lease.total_seconds() / 2)

    async def plan_recurring(self) -> None:
        """Plan each recurring job to run now, unless one is pending already; then run
        the planners."""
        now = self.clock()
        async with self.store.transaction() as session:
            for kind in self.recurring:
                await jobs.plan_once(session, kind, due_at=now, now=now)
        for plan in self.planners:
            await plan()

    async def _plan_next(self, session: Session, job: Job) -> None:
        every = self.recurring.get(job.kind)
        if every is not None:
            now = self.clock()
            await jobs.plan_once(session, job.kind, due_at=now + every, now=now)

    async def idle(self) -> None:
        """Return once no tick is running (a tick in progress is allowed to finish)."""
        async with self._running:
            return

    async def _run(self, job: Job, within_s: float) -> str:
        handler = self.handlers.get(job.kind)
        if handler is None:
            async with self.store.transaction() as session:
                await jobs.give_up(session, job.id, f"no handler for job kind {job.kind!r}")
            log.error("job %s has unknown kind %r", job.id, job.kind)
            return "failed"
        try:
            async with asyncio.timeout(within_s):
                follow_ups = await handler(job)
        except Exception as error:
            return await self._record_failure(job, error)
        async with self.store.transaction() as session:
            await jobs.complete(session, job.id)
            if follow_ups:
                await jobs.add_many(session, job.incident_id, follow_ups, now=self.clock())
            await self._plan_next(session, job)
        return "done"

    async def _record_failure(self, job: Job, error: Exception) -> str:
        reason = f"{type(error).__name__}: {error}"
        if isinstance(error, TimeoutError):
            reason = "still running at half its lease; given up to be retried"
        async with self.store.transaction() as session:
            if self.transient(error) and job.attempts < MAX_ATTEMPTS:
                retry = self.clock() + backoff(job.attempts)
                await jobs.retry_at(session, job.id, retry, reason)
                log.warning("job %s %s failed (%s); retry at %s", job.id, job.kind, reason, retry)
                return "retried"
            await jobs.give_up(session, job.id, reason)
            await self._plan_next(session, job)
        log.error("job %s %s failed for good: %s", job.id, job.kind, reason, exc_info=error)
        return "failed"
