"""Figures that show whether the team is getting better: the report behind
`warroom report` and `/incident stats`.

Pure: the store hands over one `IncidentFacts` per incident in the period (cancelled
incidents are never among them), or the same as `FactColumns` (one sequence per
field), and the action items' tally; `build_report` computes every figure. Times in
`IncidentFacts` are UTC seconds since the epoch, as floats: the store reads them
straight out of SQL, so a report over 100,000 incidents builds no datetime per time
(see `facts_of` to make them from datetimes). The figures are computed column by
column with builtins (sort, bisect, map), so the Python code that runs is per day or
per figure, not per incident.

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
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import compress, repeat
from operator import add, is_, is_not, itemgetter, le, lt, not_
from typing import NamedTuple
from zoneinfo import ZoneInfo

from warroom.domain.policy import BusinessHours, Policy

__all__ = [
    "ActionItemTally",
    "Activity",
    "FactColumns",
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


@dataclass(frozen=True, slots=True)
class FactColumns:
    """The period's incidents column by column: `IncidentFacts`' fields, each a
    sequence with one value per incident, all in the same order (the store reads
    them so on PostgreSQL: ten arrays, not 100,000 rows). `build_report` takes either."""

    severity: Sequence[str] = ()
    private: Sequence[bool] = ()
    declared: Sequence[float] = ()
    started: Sequence[float | None] = ()
    acknowledged: Sequence[float | None] = ()
    mitigated: Sequence[float | None] = ()
    resolved: Sequence[float | None] = ()
    closed: Sequence[float | None] = ()
    next_update_due: Sequence[float | None] = ()
    first_update: Sequence[float | None] = ()

    def __post_init__(self) -> None:
        lengths = {len(getattr(self, name)) for name in IncidentFacts._fields}
        if len(lengths) > 1:
            raise ValueError(f"the columns differ in length: {sorted(lengths)}")

    @property
    def incidents(self) -> int:
        return len(self.declared)

    @classmethod
    def of(cls, facts: Iterable[IncidentFacts]) -> FactColumns:
        columns = list(zip(*facts, strict=True))
        return cls(*columns) if columns else cls()

    def rows(self) -> list[IncidentFacts]:
        """One `IncidentFacts` per incident."""
        columns = (getattr(self, name) for name in IncidentFacts._fields)
        return list(map(IncidentFacts._make, zip(*columns, strict=True)))


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
    return _summary(sorted(values))


def _summary(spans: list[float]) -> Summary:
    """`summarize` of a list the caller owns: sorted in place, not copied."""
    spans.sort()
    if not spans:
        return Summary(0)
    return Summary(
        len(spans),
        math.fsum(spans) / len(spans),
        _quantile(spans, 0.5),
        _quantile(spans, 0.9),
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

    def count(self, moments: Iterable[float]) -> Counter[int]:
        """How many of `moments` fall on each local date: what `Counter(map(self,
        moments))` gives, by the same arithmetic, but sorted once and cut with bisect
        at each UTC day and local midnight, so the work is per day, not per moment."""
        ordered = sorted(moments)
        found: Counter[int] = Counter()
        low, size = 0, len(ordered)
        while low < size:
            utc_day = ordered[low] // 86400
            high = bisect_right(ordered, utc_day, low, size, key=_utc_day)
            day = int(utc_day)
            offset = self._offsets[day] if day in self._offsets else self._offset(day)
            if offset is None:
                found.update(
                    datetime.fromtimestamp(s, self.zone).toordinal() for s in ordered[low:high]
                )
                low = high
                continue
            local_day = _shifted_day(offset)
            while low < high:  # at most two local dates in one UTC day
                local = local_day(ordered[low])
                cut = bisect_right(ordered, local, low, high, key=local_day)
                found[_EPOCH_ORDINAL + int(local)] += cut - low
                low = cut
        return found


def _utc_day(seconds: float) -> float:
    return seconds // 86400


def _shifted_day(offset: float) -> Callable[[float], float]:
    def local_day(seconds: float) -> float:
        return (seconds + offset) // 86400

    return local_day


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

    def tally(
        self, ends: Sequence[float], dones: Sequence[float | None], now: float
    ) -> tuple[int, int, int]:
        """On time, late, pending: the deadline of each resolution in `ends` (sorted)
        against its closing in `dones` (or `now` if not closed). Sorted, the
        resolutions of one local date fall in at most three runs (before business
        hours, during, after) whose deadline is one moment or the resolution plus a
        fixed shift: each run is cut with bisect and counted in C."""
        counts = [0, 0, 0]
        low, size = 0, len(ends)
        while low < size:
            utc_day = ends[low] // 86400
            high = bisect_right(ends, utc_day, low, size, key=_utc_day)
            day = int(utc_day)
            offsets = self.local_day._offsets
            offset = offsets[day] if day in offsets else self.local_day._offset(day)
            if offset is None:
                self._one_by_one(ends, dones, low, high, now, counts)
                low = high
                continue
            local_day = _shifted_day(offset)
            while low < high:
                local = local_day(ends[low])
                cut = bisect_right(ends, local, low, high, key=local_day)
                ordinal = _EPOCH_ORDINAL + int(local)
                if ordinal in self._days:
                    known = self._days[ordinal]
                else:
                    known = self._days[ordinal] = self._day(date.fromordinal(ordinal))
                if known is None:
                    self._one_by_one(ends, dones, low, cut, now, counts)
                else:
                    midnight, shift, start, stop, working, before, after = known
                    into = _since(midnight)
                    opens = bisect_left(ends, start, low, cut, key=into)
                    closes = bisect_left(ends, stop, opens, cut, key=into)
                    _against(before, dones[low:opens], now, counts)
                    if working:
                        shifted = ends[opens:closes]
                        _against_shifted(shifted, shift, dones[opens:closes], now, counts)
                    else:
                        _against(after, dones[opens:closes], now, counts)
                    _against(after, dones[closes:cut], now, counts)
                low = cut
        on_time, late, pending = counts
        return on_time, late, pending

    def _one_by_one(
        self,
        ends: Sequence[float],
        dones: Sequence[float | None],
        low: int,
        high: int,
        now: float,
        counts: list[int],
    ) -> None:
        """A day whose offset changes: each deadline on its own."""
        for end, done in zip(ends[low:high], dones[low:high], strict=True):
            _against(self(end), [done], now, counts)


def _since(midnight: float) -> Callable[[float], float]:
    def into(seconds: float) -> float:
        return seconds - midnight

    return into


def _against(due: float, dones: Sequence[float | None], now: float, counts: list[int]) -> None:
    """Adds to `counts` (on time, late, pending) each closing in `dones` against one
    deadline, `due`; None is not closed yet."""
    if not dones:
        return
    closed = list(compress(dones, map(is_not, dones, repeat(None))))
    on_time = sum(map(le, closed, repeat(due)))  # type: ignore[arg-type]
    still_open = len(dones) - len(closed)
    overdue = still_open if now > due else 0
    counts[0] += on_time
    counts[1] += len(closed) - on_time + overdue
    counts[2] += still_open - overdue


def _against_shifted(
    ends: Sequence[float],
    shift: float,
    dones: Sequence[float | None],
    now: float,
    counts: list[int],
) -> None:
    """As `_against`, each against its own deadline: its end plus `shift`."""
    if not dones:
        return
    known = list(map(is_not, dones, repeat(None)))
    dues = map(add, compress(ends, known), repeat(shift))
    on_time = sum(map(le, compress(dones, known), dues))  # type: ignore[arg-type]
    open_dues = map(add, compress(ends, map(not_, known)), repeat(shift))
    overdue = sum(map(lt, open_dues, repeat(now)))  # now > due
    shut = sum(known)
    counts[0] += on_time
    counts[1] += shut - on_time + overdue
    counts[2] += len(dones) - shut - overdue


def postmortem_deadline(hours: BusinessHours, resolved: datetime, days: int) -> datetime:
    """When the postmortem of an incident resolved at `resolved` is due: `days`
    working days later (as `working_days.after_working_days`), in UTC."""
    seconds = _seconds(resolved)
    assert seconds is not None
    return datetime.fromtimestamp(_Deadlines(hours, days)(seconds), UTC)


def _spans(ends: Iterable[float | None], starts: Iterable[float | None]) -> list[float]:
    """end - start where both are known, sorted; a negative span counts as zero."""
    spans = [e - s for e, s in zip(ends, starts, strict=True) if e is not None and s is not None]
    spans.sort()
    negative = bisect_right(spans, 0.0)  # and zeros (-0.0 among them)
    spans[:negative] = repeat(0.0, negative)
    return spans


def build_report(
    facts: Sequence[IncidentFacts] | FactColumns,
    policy: Policy,
    period: ReportPeriod,
    *,
    now: datetime,
    activity: Activity | None = None,
    action_items: ActionItemTally | None = None,
) -> Report:
    """Every figure over `facts` (the period's incidents, cancelled ones left out),
    as rows or as columns. Column by column, with no object per incident: a report
    over 100,000 incidents takes tens of milliseconds."""
    now_s = _seconds(now)
    assert now_s is not None
    zone = policy.zone
    columns = facts if isinstance(facts, FactColumns) else FactColumns.of(facts)
    resolved = columns.resolved
    declared = columns.declared
    severities = dict.fromkeys(policy.severity_keys(), 0)
    for key, count in Counter(columns.severity).items():
        severities[key] = severities.get(key, 0) + count
    mondays: Counter[date] = Counter()
    for ordinal, count in _LocalDays(zone).count(declared).items():
        day = date.fromordinal(ordinal)
        mondays[day - timedelta(days=day.weekday())] += count
    activity = activity or Activity()
    open_due = list(compress(columns.next_update_due, map(is_, resolved, repeat(None))))
    return Report(
        period=period,
        timezone=policy.timezone,
        generated_at=now,
        incidents=columns.incidents,
        private=sum(columns.private),
        open=len(open_due),
        by_severity=tuple(severities.items()),
        by_week=_week_rows(mondays, period, zone, now),
        detect=_summary(_spans(declared, columns.started)),
        acknowledge=_summary(_spans(columns.acknowledged, declared)),
        mitigate=_summary(
            _spans(
                [
                    m if m is not None else r
                    for m, r in zip(columns.mitigated, resolved, strict=True)
                ],
                declared,
            )
        ),
        resolve=_summary(_spans(resolved, declared)),
        first_update=_summary(_spans(columns.first_update, declared)),
        updates=UpdateTally(
            activity.updates,
            activity.updates_with_due,
            activity.updates_on_time,
            sum(1 for due in open_due if due is not None and due < now_s),
        ),
        reminders=activity.reminders,
        action_items=action_items or ActionItemTally(),
        postmortems=_postmortems(policy, columns.severity, resolved, columns.closed, now_s),
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
    pairs = [
        (end, done)
        for key, end, done in zip(severity, resolved, closed, strict=True)
        if end is not None and key not in waived
    ]
    pairs.sort(key=itemgetter(0))
    ends = [end for end, _ in pairs]
    dones = [done for _, done in pairs]
    on_time, late, pending = deadline.tally(ends, dones, now)
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
