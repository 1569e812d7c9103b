"""Figures across incidents: `warroom report` and `/incident stats`.

Two reads at once fetch the period's incidents as facts, column by column, and
count their updates, reminders and action items (`warroom.store.reports`);
`warroom.domain.report` computes the rest.
A report names no incident, so it may be shown to anyone in the workspace: a private
incident is counted, never named.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.domain.report import (
    ActionItemTally,
    Activity,
    FactColumns,
    Report,
    ReportPeriod,
    build_report,
    period_of_dates,
)
from warroom.domain.report import period_of_days as last_days
from warroom.store import reports
from warroom.store.engine import Store

__all__ = ["ReportError", "Reports"]


class ReportError(Exception):
    """The report cannot be made as asked; the message says what to change."""


@dataclass
class Reports:
    store: Store
    policy: Policy
    clock: Clock

    async def report(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        severity: str | None = None,
        team: str | None = None,
    ) -> Report:
        """Incidents declared from `since` to `until` (whole days in the organisation's
        zone, both included), of one severity if given."""
        if since is not None and until is not None and until < since:
            raise ReportError(f"--until {until} is before --since {since}")
        key = None
        if severity is not None:
            try:
                key = self.policy.severity(severity).key
            except KeyError as exc:
                raise ReportError(str(exc)) from None
        return await self._build(period_of_dates(self.policy.zone, since, until, key), team)

    async def last(self, days: int, *, team: str | None) -> Report:
        """The last `days` days, up to now (`/incident stats 30d`)."""
        return await self._build(last_days(self.clock(), days), team)

    async def of_period(self, period: ReportPeriod, *, team: str | None = None) -> Report:
        """The incidents declared in `period` as given (the weekly digest's week)."""
        return await self._build(period, team)

    async def _build(self, period: ReportPeriod, team: str | None) -> Report:
        now = self.clock()
        today = now.astimezone(self.policy.zone).date()

        async def facts() -> FactColumns:
            async with self.store.read() as session:
                return await reports.incident_columns(session, period, team=team)

        async def counts() -> tuple[Activity, ActionItemTally]:
            async with self.store.read() as session:
                activity = await reports.activity(session, period, team=team)
                items = await reports.action_item_tally(session, period, today=today, team=team)
                return activity, items

        # Two reads at once, on two connections: PostgreSQL gathers the columns while
        # it counts (each statement reads its own snapshot in `Store.read` anyway).
        columns, (activity, items) = await asyncio.gather(facts(), counts())
        return build_report(
            columns, self.policy, period, now=now, activity=activity, action_items=items
        )
