"""The weekly digest's rules: when it falls due (day of week, a time already passed,
summer time both ways), the week it covers, and that a private incident is counted
and never kept where a name is shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.slack.test_blocks import INCIDENT, POLICY
from warroom.domain.digest import digest_of, next_digest, on_schedule, week_before
from warroom.domain.policy import DigestPolicy
from warroom.domain.report import build_report, period_of_days

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY_9 = DigestPolicy(enabled=True, weekday=0, at=time(9))


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Wednesday: the coming Monday.
        (berlin(2026, 12, 2, 15, 0), berlin(2026, 12, 7, 9, 0)),
        # Monday before nine: today.
        (berlin(2026, 12, 7, 8, 59), berlin(2026, 12, 7, 9, 0)),
        # Monday at nine exactly: strictly after, so next week.
        (berlin(2026, 12, 7, 9, 0), berlin(2026, 12, 14, 9, 0)),
        # Monday, nine already passed: next week.
        (berlin(2026, 12, 7, 9, 1), berlin(2026, 12, 14, 9, 0)),
        # Sunday late: tomorrow.
        (berlin(2026, 12, 13, 23, 30), berlin(2026, 12, 14, 9, 0)),
    ],
)
def test_the_next_digest_is_the_next_monday_at_nine(after: datetime, expected: datetime) -> None:
    found = next_digest(after, MONDAY_9, BERLIN)
    assert found == expected
    assert found.tzinfo is UTC


def test_the_day_of_week_and_time_come_from_the_policy() -> None:
    friday_1730 = DigestPolicy(enabled=True, weekday=4, at=time(17, 30))
    found = next_digest(berlin(2026, 12, 7, 9, 0), friday_1730, BERLIN)
    assert found.astimezone(BERLIN) == berlin(2026, 12, 11, 17, 30)


def test_nine_stays_nine_when_the_clocks_go_forward() -> None:
    """Europe/Berlin goes to summer time on Sunday 2026-03-29: the Monday before is
    08:00 UTC, the Monday after 07:00 UTC, both 09:00 on the wall."""
    before = next_digest(berlin(2026, 3, 20, 12, 0), MONDAY_9, BERLIN)
    after = next_digest(before, MONDAY_9, BERLIN)
    assert before == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert after - before == timedelta(days=7) - timedelta(hours=1)
    assert after.astimezone(BERLIN).time() == time(9)


def test_nine_stays_nine_when_the_clocks_go_back() -> None:
    """Back to winter time on Sunday 2026-10-25: 07:00 UTC, then 08:00 UTC."""
    before = next_digest(berlin(2026, 10, 15, 12, 0), MONDAY_9, BERLIN)
    after = next_digest(before, MONDAY_9, BERLIN)
    assert before == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert after - before == timedelta(days=7, hours=1)
    assert after.astimezone(BERLIN).time() == time(9)


def test_a_digest_on_the_night_of_the_change_in_new_york() -> None:
    """Sunday 02:30 does not exist on 2026-03-08 in New York: the digest falls at the
    moment 02:30 would have been on the old offset (03:30 on the wall); the Sunday
    after it is back at 02:30."""
    sunday_0230 = DigestPolicy(enabled=True, weekday=6, at=time(2, 30))
    skipped = next_digest(datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK), sunday_0230, NEW_YORK)
    assert skipped == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    following = next_digest(skipped, sunday_0230, NEW_YORK)
    assert following.astimezone(NEW_YORK).time() == time(2, 30)
    assert following.astimezone(NEW_YORK).day == 15


def test_the_week_covered_ends_at_the_digest_and_starts_seven_wall_days_before() -> None:
    at = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # Monday 09:00 CEST
    since = week_before(at, BERLIN)
    assert since == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 CET
    assert at - since == timedelta(hours=167)


def test_on_schedule_tells_planned_times_from_others() -> None:
    at = next_digest(berlin(2026, 12, 1, 0, 0), MONDAY_9, BERLIN)
    assert on_schedule(at, MONDAY_9, BERLIN)
    assert not on_schedule(at + timedelta(hours=1), MONDAY_9, BERLIN)
    assert not on_schedule(at, replace(MONDAY_9, weekday=1), BERLIN)


def test_next_digest_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        next_digest(datetime(2026, 12, 7, 9, 0), MONDAY_9, BERLIN)


AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SINCE = AT - timedelta(days=7)


def test_private_incidents_are_counted_and_never_named() -> None:
    public = replace(INCIDENT, id=1, number=1, title="Checkout down", severity="SEV2")
    secret = replace(INCIDENT, id=2, number=2, title="Payroll leak", severity="SEV1", private=True)
    worst = replace(INCIDENT, id=3, number=3, title="Login down", severity="SEV1")
    report = build_report([], POLICY, period_of_days(AT, 7), now=AT)
    digest = digest_of(
        since=SINCE,
        until=AT,
        policy=POLICY,
        report=report,
        counts=[("SEV2", False, 1), ("SEV1", True, 1), ("SEV1", False, 1)],
        named=[public, secret, worst],  # a private one handed in by mistake is dropped
        overdue=[(2, True, 3), (1, False, 1), (3, False, 2)],
        overdue_named={1: public, 3: worst, 2: secret},
    )
    assert [row.severity for row in digest.by_severity] == ["SEV1", "SEV2"]
    assert [(row.incidents, row.private) for row in digest.by_severity] == [(2, 1), (1, 0)]
    assert digest.named == (worst, public)
    assert [(row.incident.number, row.items) for row in digest.overdue] == [(1, 1), (3, 2)]
    assert (digest.overdue_private_incidents, digest.overdue_private_items) == (1, 3)
    assert (digest.overdue_incidents, digest.overdue_items) == (3, 6)
    assert digest.incidents == 3 and digest.private == 1 and not digest.quiet
    assert "Payroll" not in repr((digest.named, digest.overdue))


def test_a_week_without_incidents_or_overdue_items_is_quiet() -> None:
    report = build_report([], POLICY, period_of_days(AT, 7), now=AT)
    digest = digest_of(
        since=SINCE,
        until=AT,
        policy=POLICY,
        report=report,
        counts=[],
        named=[],
        overdue=[],
        overdue_named={},
    )
    assert digest.quiet and digest.by_severity == ()
