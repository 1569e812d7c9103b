"""Figures that show whether the team is getting better: the report behind
`warroom report` and `/incident stats`.

Pure: the store hands over one `IncidentFacts` per incident in the period (cancelled
incidents are never among them) and the action items' tally; `build_report`
computes every figure. Times in `IncidentFacts` are UTC seconds since the epoch, as
floats: the store reads them straight out of SQL, so a report over 100,000
incidents builds no datetime per time (see `facts_of` to make them from datetimes).

What each figure is:

- *Time to detect*: started → declared (incidents whose start time was given).
- *Time to acknowledge* (and the process's *time to IC*, the same span): declared →
  the first Incident Commander.
- *Time to mitigate*: declared → mitigated, or → resolved for an incident resolved
  without being marked mitigated first (it was mitigated by then at the latest).
- *Time to resolve*: declared → resolved.
- *Time to first update*: declared → the first status update posted.
- Mean, median and p90 (linear interpolation between the closest ranks), each over
  the incidents that have both ends; `count` says how many. None (shown "—") for an
  empty set. A span that would be negative (a start time typed after the
  declaration) counts as zero.
- *Updates on time*: of the status updates that had a due time, the share posted no
  later than it. *Late updates*: the others. *Overdue now*: open incidents whose
  next update is past due at the report's moment.
- *Postmortems*: an incident whose severity needs a postmortem is due one
  `postmortem_reminder_working_days` working days (business hours) after it was
  resolved, the delay after which the IC is reminded. Warroom stores no completion
  of its own for a postmortem (`postmortems.completed_at` is never written): closing
  the incident is when its postmortem is done (closing needs the draft). *On time*:
  closed by the deadline; *late*: closed after it, or still open past it;
  *pending*: not closed, deadline still ahead (left out of the share).
- Weeks are ISO weeks (`2026-W05`) in the organisation's zone, by declaration.

Private incidents are counted like any other; nothing here carries a title.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

from warroom.domain.policy import BusinessHours, Policy

__all__ = [
    "ActionItemTally",
    "Activity",
    "IncidentFacts",
    "PostmortemTally",
    "Report",
    "ReportPeriod",
    "Summary",
    "UpdateTally",
    "build_report",
    "facts_of",
    "iso_week",
    "period_of_dates",
    "period_of_days",
    "postmortem_deadline",
    "summarize",
]


class IncidentFacts(NamedTuple):
    """One incident as the report reads it (a tuple: 100,000 of them are cheap).
    Times: UTC seconds since the epoch, None where it has not happened."""

    severity: str
    private: bool
    declared: float
    started: float | None = None
    acknowledged: float | None = None
    """The first Incident Commander was named."""
    mitigated: float | None = None
    resolved: float | None = None
    closed: float | None = None
    next_update_due: float | None = None
    first_update: float | None = None


def _seconds(at: datetime | None) -> float | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    return at.timestamp()


def facts_of(
    severity: str,
    declared: datetime,
    *,
    private: bool = False,
    started: datetime | None = None,
    acknowledged: datetime | None = None,
    mitigated: datetime | None = None,
    resolved: datetime | None = None,
    closed: datetime | None = None,
    next_update_due: datetime | None = None,
    first_update: datetime | None = None,
) -> IncidentFacts:
    """`IncidentFacts` from aware datetimes (tests, and callers that have them)."""
    declared_s = _seconds(declared)
    assert declared_s is not None
    return IncidentFacts(
        severity,
        private,
        declared_s,
        _seconds(started),
        _seconds(acknowledged),
        _seconds(mitigated),
        _seconds(resolved),
        _seconds(closed),
        _seconds(next_update_due),
        _seconds(first_update),
    )


@dataclass(frozen=True)
class Activity:
    """What happened in the period's incidents, counted by the store."""

    updates: int = 0
    """Status updates posted."""
    updates_with_due: int = 0
    """... of which had a due time."""
    updates_on_time: int = 0
    """... of which were posted by it."""
    reminders: int = 0
    """Reminders Warroom sent (late updates, no IC, action items)."""


@dataclass(frozen=True)
class ActionItemTally:
    """The action items of the incidents in the period."""

    open: int = 0
    overdue: int = 0
    """Open, and their due date has passed (in the organisation's zone)."""
    done: int = 0
    wont_do: int = 0

    @property
    def total(self) -> int:
        return self.open + self.done + self.wont_do


@dataclass(frozen=True)
class ReportPeriod:
    """Declared in [since, until); either end may be open. `label` says it in words."""

    since: datetime | None
    until: datetime | None
    label: str
    severity: str | None = None

    def __post_init__(self) -> None:
        for at in (self.since, self.until):
            if at is not None and at.tzinfo is None:
                raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError("the period ends before it starts")


def period_of_dates(
    zone: tzinfo, since: date | None, until: date | None, severity: str | None = None
) -> ReportPeriod:
    """`--since` and `--until` as people mean them: whole days in the organisation's
    zone, both included."""
    start = datetime.combine(since, time(0), tzinfo=zone).astimezone(UTC) if since else None
    end = (
        datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        if until
        else None
    )
    if since and until:
        label = f"{since.isoformat()} to {until.isoformat()}"
    elif since:
        label = f"since {since.isoformat()}"
    elif until:
        label = f"until {until.isoformat()}"
    else:
        label = "all incidents"
    return ReportPeriod(start, end, label, severity)


def period_of_days(now: datetime, days: int) -> ReportPeriod:
    """The last `days` days up to `now` (`/incident stats 30d`)."""
    return ReportPeriod(now - timedelta(days=days), now, f"last {days} days")


@dataclass(frozen=True)
class Summary:
    """Mean, median and p90 of durations in seconds, over `count` incidents."""

    count: int
    mean: float | None = None
    median: float | None = None
    p90: float | None = None


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(values: Iterable[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        return Summary(0)
    return Summary(
        len(ordered),
        math.fsum(ordered) / len(ordered),
        _quantile(ordered, 0.5),
        _quantile(ordered, 0.9),
    )


@dataclass(frozen=True)
class UpdateTally:
    posted: int = 0
    with_due: int = 0
    on_time: int = 0
    overdue_now: int = 0
    """Open incidents whose next status update is past due."""

    @property
    def late(self) -> int:
        return self.with_due - self.on_time

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.with_due if self.with_due else None


@dataclass(frozen=True)
class PostmortemTally:
    working_days: int
    on_time: int = 0
    late: int = 0
    pending: int = 0

    @property
    def due(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    timezone: str
    generated_at: datetime
    incidents: int
    private: int
    open: int
    by_severity: tuple[tuple[str, int], ...]
    """Every severity of the policy, most severe first (then any the policy no longer
    has), with zeros."""
    by_week: tuple[tuple[str, int], ...]
    """Each ISO week of the period (from the first incident's when it has no start,
    to its end or now), with zeros."""
    detect: Summary
    acknowledge: Summary
    mitigate: Summary
    resolve: Summary
    first_update: Summary
    updates: UpdateTally
    reminders: int
    action_items: ActionItemTally
    postmortems: PostmortemTally

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def time_to_ic(self) -> Summary:
        """The process's "time to IC": the same span as time to acknowledge."""
        return self.acknowledge

    @property
    def reminders_per_incident(self) -> float | None:
        return self.reminders / self.incidents if self.incidents else None


def iso_week(moment: datetime, zone: tzinfo) -> str:
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def _weeks_between(first: date, last: date) -> list[str]:
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        year, week, _ = monday.isocalendar()
        weeks.append(f"{year}-W{week:02d}")
        monday += timedelta(days=7)
    return weeks


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class _LocalDays:
    """Local dates (as ordinals) of epoch seconds in `zone`, through the offset of each
    UTC day: the offset changes a few times a year, so one look-up serves every moment
    of a day it holds through (a day it changes in is converted moment by moment)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._offsets: dict[int, float | None] = {}

    def _offset(self, day: int) -> float | None:
        start = datetime.fromtimestamp(day * 86400, self.zone).utcoffset()
        end = datetime.fromtimestamp(day * 86400 + 86399.999999, self.zone).utcoffset()
        found = self._offsets[day] = (
            start.total_seconds() if start is not None and start == end else None
        )
        return found

    def __call__(self, seconds: float) -> int:
        day = int(seconds // 86400)
        offset = self._offsets[day] if day in self._offsets else self._offset(day)
        if offset is None:
            return datetime.fromtimestamp(seconds, self.zone).toordinal()
        return _EPOCH_ORDINAL + int((seconds + offset) // 86400)


_Day = tuple[float, float, float, float, bool, float, float]
"""Of one local date whose offset holds all day: its midnight, the shift to its
deadline day's same time, business hours' start and end (seconds into the day),
whether the deadline day is a working day, and the deadline for a time before the
opening and for one after it (epoch seconds)."""


class _Deadlines:
    """`postmortem_deadline` for many resolutions, in epoch seconds: what each local
    date needs is worked out once, so 100,000 resolutions cost a few hundred
    calendar walks and a few arithmetic steps each."""

    def __init__(self, hours: BusinessHours, days: int) -> None:
        self.hours, self.days, self.zone = hours, days, hours.zone
        self.local_day = _LocalDays(self.zone)
        self._days: dict[int, _Day | None] = {}

    def _after(self, day: date) -> date:
        found, counted = day, 0
        for _ in range(self.days * 7 + 7):
            if counted == self.days:
                break
            found += timedelta(days=1)
            counted += found.weekday() in self.hours.weekdays
        return found

    def _midnight(self, day: date) -> float | None:
        """Epoch seconds of the day's local midnight; None if the offset changes that day."""
        start = datetime.combine(day, time(0), tzinfo=self.zone)
        end = datetime.combine(day, time(23, 59, 59, 999999), tzinfo=self.zone)
        if start.utcoffset() != end.utcoffset():
            return None
        return start.timestamp()

    def _day(self, day: date) -> _Day | None:
        hours, deadline_day = self.hours, self._after(day)
        midnight, then = self._midnight(day), self._midnight(deadline_day)
        if midnight is None or then is None:
            return None
        start = hours.start.hour * 3600 + hours.start.minute * 60 + hours.start.second
        end = hours.end.hour * 3600 + hours.end.minute * 60 + hours.end.second
        before = hours.next_open(datetime.combine(deadline_day, time(0), tzinfo=self.zone))
        after = hours.next_open(datetime.combine(deadline_day, hours.end, tzinfo=self.zone))
        working = deadline_day.weekday() in hours.weekdays
        return (
            midnight,
            then - midnight,
            start,
            end,
            working,
            before.timestamp(),
            after.timestamp(),
        )

    def exact(self, resolved: float) -> float:
        local = datetime.fromtimestamp(resolved, self.zone)
        moment = datetime.combine(self._after(local.date()), local.time(), tzinfo=self.zone)
        return self.hours.next_open(moment).timestamp()

    def __call__(self, resolved: float) -> float:
        day = self.local_day(resolved)
        if day in self._days:
            known = self._days[day]
        else:
            known = self._days[day] = self._day(date.fromordinal(day))
        if known is None:
            return self.exact(resolved)
        midnight, shift, start, end, working, before, after = known
        into = resolved - midnight
        if working and start <= into < end:
            return resolved + shift
        return before if into < start else after


def postmortem_deadline(hours: BusinessHours, resolved: datetime, days: int) -> datetime:
    """When the postmortem of an incident resolved at `resolved` is due: `days`
    working days later (as `working_days.after_working_days`), in UTC."""
    seconds = _seconds(resolved)
    assert seconds is not None
    return datetime.fromtimestamp(_Deadlines(hours, days)(seconds), UTC)


def _spans(ends: Iterable[float | None], starts: Iterable[float | None]) -> list[float]:
    """end - start where both are known; a negative span counts as zero."""
    return [
        span if span > 0 else 0.0
        for span in (
            e - s for e, s in zip(ends, starts, strict=True) if e is not None and s is not None
        )
    ]


def build_report(
    facts: Sequence[IncidentFacts],
    policy: Policy,
    period: ReportPeriod,
    *,
    now: datetime,
    activity: Activity | None = None,
    action_items: ActionItemTally | None = None,
) -> Report:
    """Every figure over `facts` (the period's incidents, cancelled ones left out).
    Column by column: a report over 100,000 incidents stays a fraction of a second."""
    now_s = _seconds(now)
    assert now_s is not None
    zone = policy.zone
    columns = list(zip(*facts, strict=True)) or [()] * len(IncidentFacts._fields)
    (
        severity,
        private,
        declared,
        started,
        acknowledged,
        mitigated,
        resolved,
        closed,
        next_update_due,
        first_update,
    ) = columns
    severities = dict.fromkeys(policy.severity_keys(), 0)
    for key, count in Counter(severity).items():
        severities[key] = severities.get(key, 0) + count
    local_day = _LocalDays(zone)
    mondays: Counter[date] = Counter()
    for ordinal, count in Counter(map(local_day, declared)).items():
        day = date.fromordinal(ordinal)
        mondays[day - timedelta(days=day.weekday())] += count
    activity = activity or Activity()
    open_due = [due for due, end in zip(next_update_due, resolved, strict=True) if end is None]
    return Report(
        period=period,
        timezone=policy.timezone,
        generated_at=now,
        incidents=len(facts),
        private=sum(private),
        open=len(open_due),
        by_severity=tuple(severities.items()),
        by_week=_week_rows(mondays, period, zone, now),
        detect=summarize(_spans(declared, started)),
        acknowledge=summarize(_spans(acknowledged, declared)),
        mitigate=summarize(
            _spans(
                (m if m is not None else r for m, r in zip(mitigated, resolved, strict=True)),
                declared,
            )
        ),
        resolve=summarize(_spans(resolved, declared)),
        first_update=summarize(_spans(first_update, declared)),
        updates=UpdateTally(
            activity.updates,
            activity.updates_with_due,
            activity.updates_on_time,
            sum(1 for due in open_due if due is not None and due < now_s),
        ),
        reminders=activity.reminders,
        action_items=action_items or ActionItemTally(),
        postmortems=_postmortems(policy, severity, resolved, closed, now_s),
    )


def _postmortems(
    policy: Policy,
    severity: Sequence[str],
    resolved: Sequence[float | None],
    closed: Sequence[float | None],
    now: float,
) -> PostmortemTally:
    """Resolved incidents whose severity needs a postmortem (or that the policy no
    longer knows): closed by the deadline, closed or still open after it, not due yet."""
    waived = {s.key for s in policy.severities if not s.postmortem_required}
    deadline = _Deadlines(policy.business_hours, policy.postmortem_reminder_working_days)
    on_time = late = pending = 0
    for key, end, done in zip(severity, resolved, closed, strict=True):
        if end is None or key in waived:
            continue
        due = deadline(end)
        if done is not None:
            if done <= due:
                on_time += 1
            else:
                late += 1
        elif now > due:
            late += 1
        else:
            pending += 1
    return PostmortemTally(policy.postmortem_reminder_working_days, on_time, late, pending)


def _week_rows(
    weeks: dict[date, int], period: ReportPeriod, zone: tzinfo, now: datetime
) -> tuple[tuple[str, int], ...]:
    if not weeks and period.since is None:
        return ()
    first = period.since.astimezone(zone).date() if period.since else min(weeks)
    end = min(period.until, now) if period.until else now
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    last = max([last, *weeks]) if weeks else last
    first = min([first, *weeks]) if weeks else first
    counts = {
        f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}": n
        for monday, n in weeks.items()
    }
    return tuple((week, counts.get(week, 0)) for week in _weeks_between(first, last))
