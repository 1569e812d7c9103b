"""What `/metrics` reads from the store when it is scraped: how many incidents are open
per severity (counts only: a private incident is counted, never named) and how far
the scheduler is behind (the due jobs nobody has claimed, and how late the oldest is).

Read at scrape time, in one read-only unit of work, rather than kept in step with
every change: two cheap queries a scrape, and every replica reports the same truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.store import incidents, jobs
from warroom.store.engine import Store

__all__ = ["VitalSigns", "Vitals"]


@dataclass(frozen=True)
class VitalSigns:
    open_incidents: Mapping[str, int]
    """Severity -> incidents not yet resolved: every severity of the policy (0 if none),
    and any other an open incident still carries (one the policy has since dropped)."""
    due_jobs: int
    """Jobs due now that no scheduler has claimed: the backlog the next tick finds."""
    lag: timedelta
    """How long the longest-waiting of them has been due; zero when none is."""


@dataclass
class Vitals:
    store: Store
    policy: Policy
    clock: Clock

    async def read(self) -> VitalSigns:
        now = self.clock()
        async with self.store.read() as session:
            counts = await incidents.open_by_severity(session)
            due, oldest = await jobs.due_backlog(session, now=now)
        open_incidents = dict.fromkeys(self.policy.severity_keys(), 0) | counts
        lag = max(now - oldest, timedelta(0)) if oldest is not None else timedelta(0)
        return VitalSigns(open_incidents=open_incidents, due_jobs=due, lag=lag)
