"""The weekly digest's message: its blocks (golden), a quiet week in one line, private
incidents counted and never named, and a very busy week within Slack's limits."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

from slack_sdk.models.blocks import Block

from fakeslack.limits import block_problems
from tests.golden import assert_golden
from tests.slack.test_blocks import INCIDENT, POLICY
from warroom.domain.digest import Digest, digest_of
from warroom.domain.incident import Incident
from warroom.domain.report import Activity, build_report, facts_of, period_of_days
from warroom.slack.blocks.digest import digest_block_id, digest_message
from warroom.slack.blocks.limits import MESSAGE_BLOCKS
from warroom.slack.message import Message

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
SINCE = AT - timedelta(days=7)


def incident(number: int, severity: str, *, private: bool = False, title: str = "") -> Incident:
    return replace(
        INCIDENT,
        id=number,
        number=number,
        severity=severity,
        private=private,
        title=title or f"Incident number {number}",
        channel_id=f"CROOM{number}",
        declared_at=SINCE + timedelta(hours=number),
    )


def digest_with(
    incidents: list[Incident], overdue: list[tuple[Incident, int]], *, title: str = ""
) -> Digest:
    facts = [
        facts_of(
            i.severity,
            i.declared_at,
            private=i.private,
            acknowledged=i.declared_at + timedelta(minutes=4),
            resolved=i.declared_at + timedelta(hours=1, minutes=10),
        )
        for i in incidents
    ]
    report = build_report(
        facts,
        POLICY,
        period_of_days(AT, 7),
        now=AT,
        activity=Activity(updates=8, updates_with_due=6, updates_on_time=5),
    )
    counts: dict[tuple[str, bool], int] = {}
    for i in incidents:
        counts[(i.severity, i.private)] = counts.get((i.severity, i.private), 0) + 1
    return digest_of(
        since=SINCE,
        until=AT,
        policy=POLICY,
        report=report,
        counts=[(s, p, n) for (s, p), n in counts.items()],
        named=[i for i in incidents if not i.private],
        overdue=[(i.id, i.private, n) for i, n in overdue],
        overdue_named={i.id: i for i, _ in overdue if not i.private},
    )


SECRET = incident(3, "SEV1", private=True, title="Payroll export leaks salaries")


def sample_digest() -> Digest:
    week = [
        incident(1, "SEV2", title="Checkout returns 500s <for> EU & UK"),
        incident(2, "SEV1", title="Login down"),
        SECRET,
        incident(4, "SEV3"),
    ]
    older = incident(90, "SEV2", title="Search slow")
    return digest_with(week, [(older, 3), (week[0], 1), (SECRET, 2)])


def busy_digest(count: int, *, title: str = "") -> Digest:
    week = [incident(n, ("SEV1", "SEV2")[n % 2], title=title) for n in range(1, count + 1)]
    return digest_with(week, [(i, n % 5 + 1) for n, i in enumerate(week)])


def assert_fits(message: Message) -> None:
    assert block_problems(message.blocks, surface="message") == []
    assert len(message.blocks) <= MESSAGE_BLOCKS
    for block in message.blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()


def test_digest_golden() -> None:
    message = digest_message(sample_digest(), POLICY)
    assert_fits(message)
    assert message.blocks[0]["block_id"] == digest_block_id(AT)
    assert_golden("weekly_digest", asdict(message))


def test_private_incidents_are_counted_never_named() -> None:
    message = digest_message(sample_digest(), POLICY)
    shown = str(asdict(message))
    assert "Payroll" not in shown and "INC-3" not in shown and "CROOM3" not in shown
    assert "*SEV1*: 2 incidents (1 private, not named)" in shown
    assert "• 2 on 1 private incident" in shown
    assert "*INC-90* Search slow" in shown  # an older public incident with items past due
    assert "&lt;for&gt; EU &amp; UK" in shown  # titles escaped


def test_the_figures_and_the_pointer_are_there() -> None:
    shown = str(asdict(digest_message(sample_digest(), POLICY)))
    assert "*Time to acknowledge*: median 4 min (over 4)" in shown
    assert "*Status updates on time*: 83 % (5 of 6)" in shown
    assert "`warroom report` or `/incident stats 7d`" in shown


def test_a_quiet_week_is_one_line() -> None:
    message = digest_message(digest_with([], []), POLICY)
    assert len(message.blocks) == 1
    assert message.blocks[0]["block_id"] == digest_block_id(AT)
    assert "a quiet week, no incident declared and no action item past due" in message.text


def test_only_overdue_items_still_says_no_incident_this_week() -> None:
    message = digest_message(digest_with([], [(incident(5, "SEV2"), 2)]), POLICY)
    shown = str(asdict(message))
    assert "No incident was declared this week." in shown
    assert "*Action items past due*: 2 on 1 incident" in shown


def test_a_busy_week_with_long_titles_stays_within_slack_limits() -> None:
    message = digest_message(busy_digest(400, title="x" * 300), POLICY)
    assert_fits(message)
    shown = str(asdict(message))
    assert "…and 190 more public" in shown  # 200 SEV1, 10 listed
    assert "…and 390 more incidents" in shown
