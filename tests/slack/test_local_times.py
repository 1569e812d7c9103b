"""Dates in messages: Slack's token for each reader, the organisation's zone in the fallback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.domain.test_postmortem import incident
from warroom.policy_file import load_policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.announcement import announcement
from warroom.slack.blocks.card import incident_card
from warroom.slack.blocks.reminders import nothing_to_snooze, snoozed_line

BERLIN = replace(load_policy(), timezone="Europe/Berlin")


def test_the_fallback_is_in_the_zone_with_its_abbreviation() -> None:
    winter = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    summer = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (
        mrkdwn.date(winter) == "<!date^1774744200^{date_short_pretty} {time}|2026-03-29 00:30 UTC>"
    )
    berlin = ZoneInfo("Europe/Berlin")
    assert mrkdwn.date(winter, "{time}", berlin).endswith("|2026-03-29 01:30 CET>")
    assert mrkdwn.date(summer, "{time}", berlin).endswith("|2026-03-29 03:30 CEST>")
    assert mrkdwn.date(winter, zone=ZoneInfo("America/Sao_Paulo")).endswith(
        "|2026-03-28 21:30 UTC-03:00>"
    )


def test_card_and_announcement_fall_back_to_the_organisations_zone() -> None:
    declared = datetime(2026, 12, 6, 2, 47, tzinfo=UTC)
    shown = incident(
        declared_at=declared, next_update_due_at=datetime(2026, 12, 6, 3, 17, tzinfo=UTC)
    )
    for message in (
        incident_card(shown, BERLIN, now=declared),
        announcement(shown, BERLIN, now=declared),
    ):
        flat = str(message.blocks)
        assert "|2026-12-06 03:47 CET>" in flat and "UTC>" not in flat


def test_snooze_answers_fall_back_to_the_organisations_zone() -> None:
    due = datetime(2026, 12, 6, 3, 47, tzinfo=UTC)
    late = incident(next_update_due_at=due, resolved_at=None)
    for message in (
        snoozed_line(late, "UDEE", 15, BERLIN.zone),
        nothing_to_snooze(late, BERLIN.zone),
    ):
        assert "|2026-12-06 04:47 CET>" in message.text
