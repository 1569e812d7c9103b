"""The report's figures computed column by column (`FactColumns`, sort and bisect
instead of a step per incident) come out exactly as the per-incident rules give
them: weeks by local date and postmortem deadlines against the one-at-a-time
reference, in zones with odd offsets and DST changes, to the last bit."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.policy import BusinessHours
from warroom.domain.report import (
    FactColumns,
    IncidentFacts,
    _Deadlines,
    _LocalDays,
    build_report,
    period_of_dates,
    period_of_days,
)
from warroom.policy_file import load_policy

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
]
START = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
NOW = datetime(2026, 6, 5, 12, tzinfo=UTC)


def moments(rng: random.Random, count: int) -> list[float]:
    """Random moments over two and a half years, some on whole half hours (local
    midnights and business hours' edges among them) or a microsecond either side."""
    found = []
    for _ in range(count):
        at = START + rng.random() * 2.5 * 365 * 86400
        if rng.random() < 0.3:
            at = round(at / 1800) * 1800 + rng.choice([0.0, 1e-6, -1e-6])
        found.append(at)
    return found


def random_facts(rng: random.Random, count: int) -> list[IncidentFacts]:
    def maybe(share: float, at: float, low: float, high: float) -> float | None:
        return at + rng.uniform(low, high) if rng.random() < share else None

    facts = []
    for declared in moments(rng, count):
        resolved = maybe(0.9, declared, 60, 20 * 86400)
        closed = None
        if resolved is not None and rng.random() < 0.7:
            closed = resolved + rng.uniform(0, 15 * 86400)
        facts.append(
            IncidentFacts(
                rng.choice(["SEV1", "SEV2", "SEV3", "SEV4", "SEV9"]),
                rng.random() < 0.1,
                declared,
                maybe(0.6, declared, -3600, 600),
                maybe(0.8, declared, 0, 3600),
                maybe(0.5, declared, 0, 7200),
                resolved,
                closed,
                maybe(0.5, declared, 0, 400 * 86400),
                maybe(0.8, declared, -10, 5000),
            )
        )
    return facts


@pytest.mark.parametrize("zone", ZONES)
def test_columns_give_the_same_report_as_rows(zone: str) -> None:
    policy = replace(load_policy(), timezone=zone)
    facts = random_facts(random.Random(zone), 3000)
    columns = FactColumns.of(facts)
    assert columns.rows() == facts and columns.incidents == 3000
    for period in (period_of_dates(policy.zone, None, None), period_of_days(NOW, 30)):
        assert build_report(columns, policy, period, now=NOW) == build_report(
            facts, policy, period, now=NOW
        )


@pytest.mark.parametrize("zone", ZONES)
def test_local_dates_counted_at_once_match_one_at_a_time(zone: str) -> None:
    local_day = _LocalDays(ZoneInfo(zone))
    at = moments(random.Random(zone), 20000)
    assert _LocalDays(ZoneInfo(zone)).count(at) == Counter(map(local_day, at))
    for seconds in at[:2000]:
        assert local_day(seconds) == datetime.fromtimestamp(seconds, ZoneInfo(zone)).toordinal()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("days", [0, 1, 5])
def test_deadlines_tallied_at_once_match_one_at_a_time(zone: str, days: int) -> None:
    hours = BusinessHours(zone, time(8, 30), time(18), frozenset({0, 1, 2, 3}))
    reference = _Deadlines(hours, days)
    rng = random.Random(f"{zone}{days}")
    ends = sorted(moments(rng, 5000))
    dones: list[float | None] = []
    for end in ends:  # closed on the deadline, a microsecond either side, later, or not
        due = reference(end)
        dones.append(rng.choice([None, due, due + 1e-6, due - 1e-6, end + rng.random() * 9e5]))
    now = ends[len(ends) // 2]

    def verdict(end: float, done: float | None) -> str:
        due = reference(end)
        if done is not None:
            return "on_time" if done <= due else "late"
        return "late" if now > due else "pending"

    expected = Counter(map(verdict, ends, dones))
    tally = _Deadlines(hours, days).tally(ends, dones, now)
    assert tally == (expected["on_time"], expected["late"], expected["pending"])


def test_columns_must_be_as_long_as_each_other() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        FactColumns(severity=["SEV1"], private=[False], declared=[1.0, 2.0])
    assert FactColumns.of([]) == FactColumns() and FactColumns().rows() == []
