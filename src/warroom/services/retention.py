"""Forgetting what is no longer needed: handled Slack deliveries, finished jobs and
processed alert notifications.

These tables grow with traffic (a row per delivery, several per incident), and
after a few days nothing reads an old row: Slack stops retrying a delivery
within an hour, and a finished job is never run again. The prune job runs
hourly and deletes rows older than the retention period in small batches, each
its own short transaction, so SQLite's single writer is never held for long
and requests keep flowing between batches. A run stops after `max_batches` per
table (far above an hour's growth), so a backlog, say after an upgrade, is
worked off over several runs, each well within the scheduler's time for a job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from warroom.domain.clock import Clock
from warroom.store import alerts, jobs, requests
from warroom.store.engine import Store
from warroom.store.jobs import Job

__all__ = ["PRUNE", "PRUNE_BATCH", "PRUNE_EVERY", "PRUNE_MAX_BATCHES", "PruneReport", "Retention"]

log = logging.getLogger(__name__)

PRUNE = "prune"
PRUNE_EVERY = timedelta(hours=1)
PRUNE_BATCH = 1000
PRUNE_MAX_BATCHES = 500


@dataclass(frozen=True)
class PruneReport:
    requests: int
    jobs: int
    batches: int
    alert_receipts: int = 0


@dataclass
class Retention:
    store: Store
    clock: Clock
    keep: timedelta
    batch: int = PRUNE_BATCH
    max_batches: int = PRUNE_MAX_BATCHES

    async def on_job(self, job: Job) -> None:
        await self.prune()

    async def prune(self) -> PruneReport:
        """Delete what is older than `keep`, one batch per transaction, until none is
        left or `max_batches` ran for a table."""
        before = self.clock() - self.keep
        pruned = {"requests": 0, "jobs": 0, "alert_receipts": 0}
        batches = 0
        tables = (
            ("requests", requests.prune),
            ("jobs", jobs.prune_finished),
            ("alert_receipts", alerts.prune_receipts),
        )
        for table, prune_batch in tables:
            for _ in range(self.max_batches):
                async with self.store.transaction() as session:
                    deleted = await prune_batch(session, before=before, limit=self.batch)
                batches += 1
                pruned[table] += deleted
                if deleted < self.batch:
                    break
        report = PruneReport(batches=batches, **pruned)
        log.info(
            "pruned %d processed request(s), %d finished job(s) and %d alert notification(s) "
            "older than %s in %d batch(es)",
            report.requests,
            report.jobs,
            report.alert_receipts,
            before.isoformat(),
            report.batches,
        )
        return report
