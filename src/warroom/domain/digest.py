"""The weekly digest: when it falls due, the week it covers, and what it may show.

Pure. The digest is posted in the broadcast channel, which anyone in the workspace
may read, so a private incident is only ever a number in it: `digest_of` keeps the
private incidents out of everything that names one.

When: each week on the policy's day at its time, as a wall clock in the policy's
zone reads it, so 09:00 stays 09:00 across a change to or from summer time. A
local time that a clock change skips (02:30 on the night the clocks go forward)
falls at the moment it would have been on the old offset, an hour later on the
wall; one that occurs twice falls at the first. The week a digest covers ends at
its own time and starts at the same wall time seven days earlier (so it may be
167 or 169 hours long).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from warroom.domain.incident import Incident
from warroom.domain.policy import DigestPolicy, Policy
from warroom.domain.report import Report

__all__ = [
    "Digest",
    "OverdueItems",
    "SeverityCount",
    "digest_of",
    "next_digest",
    "on_schedule",
    "week_before",
]


def _local(at: datetime, zone: tzinfo) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    return at.astimezone(zone)


def next_digest(after: datetime, schedule: DigestPolicy, zone: tzinfo) -> datetime:
    """The first digest time strictly after `after`, in UTC."""
    local = _local(after, zone)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if day.weekday() != schedule.weekday:
            continue
        moment = datetime.combine(day, schedule.at, tzinfo=zone).astimezone(UTC)
        if moment > after:
            return moment
    raise AssertionError("a weekday recurs within eight days")  # pragma: no cover


def week_before(at: datetime, zone: tzinfo) -> datetime:
    """The same wall time seven days before `at` (the start of the week `at` ends), in UTC."""
    local = _local(at, zone)
    start = datetime.combine(local.date() - timedelta(days=7), local.time(), tzinfo=zone)
    return start.astimezone(UTC)


def on_schedule(at: datetime, schedule: DigestPolicy, zone: tzinfo) -> bool:
    """Whether `at` is one of the schedule's digest times (not, say, one planned under
    a policy that named another day)."""
    return next_digest(at - timedelta(microseconds=1), schedule, zone) == at


@dataclass(frozen=True)
class SeverityCount:
    severity: str
    incidents: int
    private: int

    @property
    def public(self) -> int:
        return self.incidents - self.private


@dataclass(frozen=True)
class OverdueItems:
    """A public incident's open action items past their due date."""

    incident: Incident
    items: int


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    timezone: str
    report: Report
    """The figures of the week's incidents (they name none)."""
    by_severity: tuple[SeverityCount, ...]
    """Every severity with an incident in the week, most severe first."""
    named: tuple[Incident, ...]
    """The week's public incidents (or the first of them), most severe first, then in
    declaration order."""
    overdue: tuple[OverdueItems, ...]
    """Public incidents (declared in any week) with open action items past due, most
    items first (or the first of them)."""
    overdue_public_incidents: int
    overdue_public_items: int
    overdue_private_incidents: int
    overdue_private_items: int

    @property
    def incidents(self) -> int:
        return sum(row.incidents for row in self.by_severity)

    @property
    def private(self) -> int:
        return sum(row.private for row in self.by_severity)

    @property
    def overdue_items(self) -> int:
        return self.overdue_public_items + self.overdue_private_items

    @property
    def overdue_incidents(self) -> int:
        return self.overdue_public_incidents + self.overdue_private_incidents

    @property
    def quiet(self) -> bool:
        """No incident in the week and nothing overdue: one line says so."""
        return self.incidents == 0 and self.overdue_items == 0


def digest_of(
    *,
    since: datetime,
    until: datetime,
    policy: Policy,
    report: Report,
    counts: Sequence[tuple[str, bool, int]],
    named: Sequence[Incident],
    overdue: Sequence[tuple[int, bool, int]],
    overdue_named: Mapping[int, Incident],
) -> Digest:
    """The digest of the week [since, until).

    `counts`: (severity, private, how many) of the incidents declared in the week,
    cancelled ones left out; `named`: public ones among them (a private one given here
    is dropped); `overdue`: (incident id, private, how many) of every incident with open
    action items past due; `overdue_named`: public ones among those, by id. A private
    incident is counted and never kept where a name could be shown.
    """
    rank = {key: n for n, key in enumerate(policy.severity_keys())}

    def order(key: str) -> tuple[int, str]:
        return (rank.get(key, len(rank)), key)

    totals: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    for severity, private, count in counts:
        totals[severity] += count
        if private:
            hidden[severity] += count
    public_overdue = [(i, n) for i, private, n in overdue if not private and n > 0]
    private_overdue = [n for _, private, n in overdue if private and n > 0]
    return Digest(
        since=since,
        until=until,
        timezone=policy.timezone,
        report=report,
        by_severity=tuple(
            SeverityCount(key, totals[key], hidden[key])
            for key in sorted(totals, key=order)
            if totals[key]
        ),
        named=tuple(
            sorted(
                (incident for incident in named if not incident.private),
                key=lambda i: (order(i.severity), i.declared_at, i.number),
            )
        ),
        overdue=tuple(
            OverdueItems(overdue_named[i], n)
            for i, n in public_overdue
            if i in overdue_named and not overdue_named[i].private
        ),
        overdue_public_incidents=len(public_overdue),
        overdue_public_items=sum(n for _, n in public_overdue),
        overdue_private_incidents=len(private_overdue),
        overdue_private_items=sum(private_overdue),
    )
