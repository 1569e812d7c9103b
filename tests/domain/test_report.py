"""The report's figures from plain facts: every rule, the empty cases, weeks in the
organisation's zone, postmortem deadlines in working days, and the three renderings
(golden files)."""

from __future__ import annotations

import csv
import io
import json
import os
import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.golden import GOLDEN_DIR
from warroom.domain.policy import BusinessHours
from warroom.domain.report import (
    ActionItemTally,
    Activity,
    IncidentFacts,
    Report,
    ReportPeriod,
    build_report,
    facts_of,
    period_of_dates,
    period_of_days,
    postmortem_deadline,
    summarize,
)
from warroom.domain.report_render import render, render_csv, render_json, render_markdown
from warroom.domain.working_days import after_working_days
from warroom.policy_file import load_policy

POLICY = replace(load_policy(), timezone="Europe/Berlin")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
MARCH = period_of_dates(BERLIN, date(2026, 3, 1), date(2026, 3, 31))
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # a Tuesday
MIN = timedelta(minutes=1)


def report_of(
    facts: list[IncidentFacts],
    period: ReportPeriod = MARCH,
    *,
    activity: Activity | None = None,
    action_items: ActionItemTally | None = None,
) -> Report:
    return build_report(
        facts, POLICY, period, now=NOW, activity=activity, action_items=action_items
    )


def assert_golden_text(name: str, text: str) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"golden file {path} is missing; generate it with UPDATE_GOLDEN=1")
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{name} differs from {path}; if intended, rerun with UPDATE_GOLDEN=1"
    )


# -- summaries --------------------------------------------------------------------------


def test_summary_of_nothing_is_empty_not_a_division_by_zero() -> None:
    assert summarize([]).count == 0
    assert summarize([]).mean is None and summarize([]).median is None
    assert summarize([]).p90 is None


def test_summary_mean_median_and_p90_interpolate_between_ranks() -> None:
    summary = summarize(float(n) for n in range(1, 11))
    assert (summary.count, summary.mean, summary.median) == (10, 5.5, 5.5)
    assert summary.p90 == pytest.approx(9.1)
    assert summarize([7.0]) == summarize([7.0]) and summarize([7.0]).p90 == 7.0
    assert summarize([30.0, 10.0, 20.0]).median == 20.0


# -- the empty report ---------------------------------------------------------------------


def test_an_empty_period_renders_dashes_in_every_format() -> None:
    report = report_of([])
    assert report.incidents == 0 and report.reminders_per_incident is None
    assert report.updates.on_time_share is None and report.postmortems.on_time_share is None
    assert [count for _, count in report.by_week] == [0] * len(report.by_week)
    assert report.by_week[0][0] == "2026-W09" and report.by_week[-1][0] == "2026-W14"
    markdown = render_markdown(report)
    assert "| Time to detect | started → declared | — | — | — | 0 |" in markdown
    assert "Posted before they were due: — (0 of 0)" in markdown
    rows = list(csv.reader(io.StringIO(render_csv(report))))
    assert ["detect_s", "median", "", "0"] in rows
    document = json.loads(render_json(report))
    assert document["durations"]["resolve"] == {
        "incidents": 0,
        "mean_s": None,
        "median_s": None,
        "p90_s": None,
    }


def test_no_incidents_and_no_start_means_no_weeks() -> None:
    report = report_of([], period_of_dates(BERLIN, None, None))
    assert report.by_week == () and "| — | 0 |" in render_markdown(report)


# -- durations ----------------------------------------------------------------------------


def test_each_duration_is_over_the_incidents_that_have_both_ends() -> None:
    facts = [
        facts_of(
            "SEV1",
            T0,
            started=T0 - 10 * MIN,
            acknowledged=T0 + 4 * MIN,
            mitigated=T0 + 30 * MIN,
            resolved=T0 + 60 * MIN,
            first_update=T0 + 20 * MIN,
        ),
        facts_of("SEV2", T0, acknowledged=T0 + 8 * MIN, resolved=T0 + 120 * MIN),
        facts_of("SEV2", T0),  # still open, no IC
    ]
    report = report_of(facts)
    assert (report.detect.count, report.detect.median) == (1, 600)
    assert (report.acknowledge.count, report.acknowledge.mean) == (2, 360)
    assert report.time_to_ic == report.acknowledge
    # mitigated, or resolved when never marked mitigated
    assert (report.mitigate.count, report.mitigate.mean) == (2, (30 + 120) * 60 / 2)
    assert (report.resolve.count, report.resolve.median) == (2, 90 * 60)
    assert (report.first_update.count, report.first_update.mean) == (1, 1200)
    assert report.open == 1


def test_a_start_typed_after_the_declaration_counts_as_zero_not_negative() -> None:
    report = report_of([facts_of("SEV1", T0, started=T0 + 5 * MIN)])
    assert report.detect.mean == 0.0


# -- counts -------------------------------------------------------------------------------


def test_severities_in_the_policys_order_with_zeros_and_unknown_ones_after() -> None:
    facts = [facts_of("SEV2", T0), facts_of("SEV2", T0), facts_of("SEV9", T0, private=True)]
    report = report_of(facts)
    assert report.by_severity == (("SEV1", 0), ("SEV2", 2), ("SEV3", 0), ("SEV4", 0), ("SEV9", 1))
    assert (report.incidents, report.private) == (3, 1)


def test_weeks_are_iso_weeks_in_the_organisations_zone() -> None:
    # Sunday 23:30 UTC is already Monday in Berlin: the next ISO week.
    sunday_night = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    facts = [facts_of("SEV1", sunday_night), facts_of("SEV1", T0)]
    weeks = dict(report_of(facts).by_week)
    assert weeks["2026-W10"] == 1 and weeks["2026-W11"] == 1 and weeks["2026-W12"] == 0
    in_utc = build_report(facts, replace(POLICY, timezone="UTC"), MARCH, now=NOW)
    assert dict(in_utc.by_week)["2026-W10"] == 2


def test_weeks_in_a_zone_half_an_hour_off_and_across_a_dst_change() -> None:
    kolkata = replace(POLICY, timezone="Asia/Kolkata")  # +05:30: midnight inside a UTC hour
    just_before = datetime(2026, 3, 8, 18, 29, tzinfo=UTC)  # Sunday 23:59 local
    just_after = datetime(2026, 3, 8, 18, 31, tzinfo=UTC)  # Monday 00:01 local
    facts = [facts_of("SEV1", just_before), facts_of("SEV1", just_after)]
    weeks = dict(build_report(facts, kolkata, MARCH, now=NOW).by_week)
    assert weeks["2026-W10"] == 1 and weeks["2026-W11"] == 1
    # Berlin moves to summer time on 2026-03-29 at 01:00 UTC
    dst = [
        facts_of("SEV1", datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + n * 20 * MIN) for n in range(6)
    ]
    assert dict(report_of(dst).by_week)["2026-W13"] == 6


def test_updates_reminders_and_action_items_come_through() -> None:
    facts = [
        facts_of("SEV1", T0, next_update_due=NOW - MIN),  # open, update overdue now
        facts_of("SEV1", T0, next_update_due=NOW + MIN),
        facts_of("SEV1", T0, resolved=T0 + MIN, next_update_due=NOW - MIN),  # resolved: not
    ]
    items = ActionItemTally(open=3, overdue=1, done=5, wont_do=1)
    report = report_of(facts, activity=Activity(10, 8, 6, 9), action_items=items)
    assert report.updates.overdue_now == 1
    assert (report.updates.late, report.updates.on_time_share) == (2, 0.75)
    assert (report.reminders, report.reminders_per_incident) == (9, 3.0)
    assert report.action_items.total == 9


# -- postmortems --------------------------------------------------------------------------


def test_postmortems_on_time_late_and_pending_against_working_days() -> None:
    friday = datetime(2026, 3, 13, 14, 0, tzinfo=UTC)  # 15:00 in Berlin
    due = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # five working days later
    assert postmortem_deadline(POLICY.business_hours, friday, 5) == due
    facts = [
        facts_of("SEV1", friday, resolved=friday, closed=due),  # on time, to the second
        facts_of("SEV1", friday, resolved=friday, closed=due + MIN),  # late
        facts_of("SEV2", friday, resolved=friday),  # never closed, past due: late
        facts_of("SEV2", NOW, resolved=NOW - MIN),  # not due yet
        facts_of("SEV3", friday, resolved=friday),  # SEV3 needs no postmortem
        facts_of("SEV1", friday),  # not resolved
    ]
    pms = report_of(facts).postmortems
    assert (pms.on_time, pms.late, pms.pending, pms.due) == (1, 2, 1, 3)
    assert pms.on_time_share == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "hours",
    [
        BusinessHours("UTC", time(9), time(17), frozenset(range(5))),
        BusinessHours("Europe/Berlin", time(8, 30), time(18), frozenset({0, 1, 2, 3})),
        BusinessHours("America/New_York", time(0), time(23, 59), frozenset({6, 0, 1, 2, 3, 4})),
        BusinessHours("Asia/Kolkata", time(10), time(19), frozenset(range(5))),
        BusinessHours("Australia/Lord_Howe", time(9), time(17), frozenset(range(5))),
    ],
    ids=["utc", "berlin", "new-york", "kolkata", "lord-howe"],
)
@pytest.mark.parametrize("days", [0, 1, 5, 12])
def test_the_fast_deadline_is_after_working_days_exactly(hours: BusinessHours, days: int) -> None:
    rng = random.Random(days)
    start = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    # random moments over two years, and every quarter hour around each DST change
    moments = [start + rng.random() * 2 * 365 * 86400 for _ in range(400)]
    for year in (2025, 2026):
        for month, day in ((3, 9), (3, 30), (4, 6), (10, 5), (10, 26), (11, 2)):
            base = datetime(year, month, day, tzinfo=UTC).timestamp() - 86400
            moments += [base + n * 900 for n in range(8 * 24)]
    for seconds in moments:
        at = datetime.fromtimestamp(seconds, UTC)
        assert postmortem_deadline(hours, at, days) == after_working_days(hours, at, days), at


# -- periods ------------------------------------------------------------------------------


def test_dates_are_whole_days_in_the_organisations_zone() -> None:
    period = period_of_dates(BERLIN, date(2026, 3, 1), date(2026, 3, 31), "SEV1")
    assert period.since == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert period.until == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # summer time by then
    assert (period.label, period.severity) == ("2026-03-01 to 2026-03-31", "SEV1")
    assert period_of_dates(BERLIN, None, date(2026, 3, 1)).label == "until 2026-03-01"
    assert period_of_days(NOW, 30).since == NOW - timedelta(days=30)
    with pytest.raises(ValueError, match="ends before"):
        ReportPeriod(NOW, NOW - MIN, "backwards")
    with pytest.raises(ValueError, match="time zone"):
        facts_of("SEV1", datetime(2026, 3, 1))  # naive


# -- renderings (golden) ------------------------------------------------------------------


def sample_report() -> Report:
    """A month with a bit of everything, private incidents among them."""
    facts = []
    for n in range(12):
        declared = T0 + timedelta(days=2 * n, hours=n)
        resolved = declared + timedelta(minutes=40 + 15 * n) if n < 10 else None
        facts.append(
            facts_of(
                ("SEV1", "SEV2", "SEV3")[n % 3],
                declared,
                private=n % 4 == 0,
                started=declared - timedelta(minutes=3 * n) if n % 2 else None,
                acknowledged=declared + timedelta(minutes=2 + n) if n != 5 else None,
                mitigated=declared + timedelta(minutes=25 + 5 * n) if n % 3 else None,
                resolved=resolved,
                closed=resolved + timedelta(days=n) if resolved and n % 2 else None,
                next_update_due=NOW - timedelta(minutes=5) if n == 10 else NOW + MIN,
                first_update=declared + timedelta(minutes=10 + n),
            )
        )
    return report_of(
        facts,
        activity=Activity(updates=30, updates_with_due=24, updates_on_time=19, reminders=17),
        action_items=ActionItemTally(open=4, overdue=2, done=11, wont_do=1),
    )


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_report_renderings_golden(fmt: str) -> None:
    assert_golden_text(f"report.{fmt}", render(sample_report(), fmt))


def test_renderings_agree_with_each_other() -> None:
    report = sample_report()
    document = json.loads(render_json(report))
    rows = {(s, n): v for s, n, v, _ in csv.reader(io.StringIO(render_csv(report)))}
    assert document["incidents"]["total"] == int(rows[("incidents", "total")]) == 12
    assert document["durations"]["resolve"]["median_s"] == int(rows[("resolve_s", "median")])
    assert document["process"]["updates_late"] == 5 == int(rows[("updates", "late")])
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "xml")
