"""What the web pages under `/ui` read: the incident list a page at a time, one
incident's page, and the report's figures week by week. Read-only.

Only what the viewer may see leaves here. The list reads the store in windows along
the incident numbers and drops, window by window, the private incidents whose room the
viewer is not in now (`Audience.visible`, the check `/incident list` makes), until it
has a page and one more; so a private incident someone is not in changes neither the
rows they are shown nor whether there is a next page. No total is counted: that would
mean checking every private incident of the team. An incident's page answers None for
a private incident the viewer may not see, exactly as for a number that does not
exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from warroom.domain.clock import Clock
from warroom.domain.dashboard import (
    PAGE_SIZE,
    IncidentFilter,
    IncidentPage,
    IncidentView,
    WeekFigures,
)
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.domain.postmortem import draft_postmortem
from warroom.domain.postmortem_markdown import people_in
from warroom.domain.report import ReportPeriod, iso_week
from warroom.services.audience import Audience
from warroom.services.people import People
from warroom.services.reports import Reports
from warroom.store import dashboard, incidents, postmortems
from warroom.store.engine import Store
from warroom.store.postmortem_reads import load_draft_input

__all__ = ["FIGURE_WEEKS", "SCAN_LIMIT", "Dashboard"]

FIRST_WINDOW = PAGE_SIZE + 15
"""Incidents read at first for a page (a page and one more, and room for a few hidden)."""
WINDOW = 250
"""Incidents read per further window while hidden ones thin a page out."""
SCAN_LIMIT = 5_000
"""Incidents read for one page at most. Past it (a team whose incidents are nearly all
private rooms the viewer is not in), the page ends where the reading stopped and the
next one goes on from there."""
FIGURE_WEEKS = 12


@dataclass(frozen=True)
class _Run:
    visible: list[Incident]
    exhausted: bool
    """Every incident in that direction was read."""
    last: int | None
    """The number of the last incident read."""


@dataclass
class Dashboard:
    store: Store
    audience: Audience
    policy: Policy
    clock: Clock
    people: People
    """Names people on an incident's page (asks Slack for those the directory lacks)."""
    reports: Reports
    directory: People = field(init=False)
    """Names people in the list from the store's directory alone: a list never waits on
    Slack (someone the directory never saw is shown by user ID)."""

    def __post_init__(self) -> None:
        self.directory = People(store=self.store, gateway=None, clock=self.clock)

    async def page(
        self,
        team_id: str,
        viewer: str,
        wanted: IncidentFilter,
        *,
        below: int | None = None,
        above: int | None = None,
    ) -> IncidentPage:
        """The page of incidents `viewer` may see: the newest numbered below `below`
        (the first page without it), or, given `above`, the oldest numbered above it."""
        if above is not None:
            run = await self._run(team_id, viewer, wanted, above=above, need=PAGE_SIZE + 1)
            shown = run.visible[:PAGE_SIZE]
            newer = self._onward(run, shown, PAGE_SIZE)
            shown.reverse()
            older = None
            if shown:
                back = await self._run(team_id, viewer, wanted, below=shown[-1].number, need=1)
                older = shown[-1].number if back.visible or not back.exhausted else None
            elif above > 0:
                older = above + 1
            return IncidentPage(tuple(shown), older=older, newer=newer)
        run = await self._run(team_id, viewer, wanted, below=below, need=PAGE_SIZE + 1)
        shown = run.visible[:PAGE_SIZE]
        older = self._onward(run, shown, PAGE_SIZE)
        newer = None
        if below is not None:
            start = shown[0].number if shown else below - 1
            ahead = await self._run(team_id, viewer, wanted, above=start, need=1)
            newer = start if ahead.visible or not ahead.exhausted else None
        return IncidentPage(tuple(shown), older=older, newer=newer)

    @staticmethod
    def _onward(run: _Run, shown: list[Incident], size: int) -> int | None:
        """The cursor past this page in its direction, or None at the end."""
        if len(run.visible) > size:
            return shown[-1].number
        if not run.exhausted:
            return run.last  # stopped at SCAN_LIMIT: go on from where the reading stopped
        return None

    async def _run(
        self,
        team_id: str,
        viewer: str,
        wanted: IncidentFilter,
        *,
        below: int | None = None,
        above: int | None = None,
        need: int,
    ) -> _Run:
        """At least `need` visible incidents from the cursor on, if there are that many
        within `SCAN_LIMIT`."""
        visible: list[Incident] = []
        read = 0
        last: int | None = None
        size = max(need + 15, FIRST_WINDOW) if need > 1 else 16
        while True:
            async with self.store.read() as session:
                window = await dashboard.incident_window(
                    session, team_id, wanted, below=below, above=above, limit=size
                )
            read += len(window)
            visible += await self._visible(viewer, window)
            if window:
                last = window[-1].number
                if above is not None:
                    above = last
                else:
                    below = last
            if len(window) < size:
                return _Run(visible, exhausted=True, last=last)
            if len(visible) >= need or read >= SCAN_LIMIT:
                return _Run(visible, exhausted=False, last=last)
            size = WINDOW

    async def _visible(self, viewer: str, window: list[Incident]) -> list[Incident]:
        """`window` without the private incidents `viewer` may not see, in order. Only
        the private ones are asked about (a public one is everyone's)."""
        private = [incident for incident in window if incident.private]
        if not private:
            return window
        allowed = {incident.id for incident in await self.audience.visible(viewer, private)}
        return [i for i in window if not i.private or i.id in allowed]

    async def list_names(self, incidents_shown: tuple[Incident, ...]) -> dict[str, str]:
        """Names of the list's Incident Commanders, from the directory alone."""
        commander = self.policy.commander_role.key
        ids = {holder for i in incidents_shown if (holder := i.holder(commander)) is not None}
        return await self.directory.names(ids)

    async def incident(self, team_id: str, viewer: str, number: int) -> IncidentView | None:
        """Incident `number` of the team as its page shows it, or None when there is no
        such incident or it is private and `viewer` is not in its room now."""
        async with self.store.read() as session:
            found = await incidents.find_by_number(session, team_id, number)
        if found is None or not await self.audience.may_see(viewer, found):
            return None
        data = await load_draft_input(self.store, found.id, self.policy, self.clock())
        draft = await asyncio.to_thread(draft_postmortem, data)
        async with self.store.read() as session:
            updates = await dashboard.status_updates(session, found.id)
            kept = await postmortems.load(session, found.id)
        people = people_in(draft) | {update.author_id for update in updates}
        names = await self.people.names(people)
        return IncidentView(
            incident=data.incident,
            draft=draft,
            updates=tuple(updates),
            postmortem_markdown=kept.markdown if kept is not None else None,
            postmortem_drafted_at=kept.drafted_at if kept is not None else None,
            names=names,
        )

    async def figures(self, team_id: str, weeks: int = FIGURE_WEEKS) -> list[WeekFigures]:
        """The report of each of the last `weeks` ISO weeks in the organisation's zone,
        oldest first, this week (so far) last. A report names no incident and counts a
        private one like any other, so anyone in the workspace may see it."""
        zone = self.policy.zone
        now = self.clock()
        today = now.astimezone(zone).date()
        this_monday = today - timedelta(days=today.weekday())
        mondays = [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]

        def start(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

        figures = []
        for monday in mondays:  # one after another: each report reads on two connections
            since, until = start(monday), start(monday + timedelta(days=7))
            week = iso_week(since, zone)
            report = await self.reports.of_period(ReportPeriod(since, until, week), team=team_id)
            figures.append(WeekFigures(week=week, monday=monday, report=report))
        return figures
