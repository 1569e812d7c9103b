"""`/incident stats` over signed requests: a private answer to whoever asks, anywhere,
that counts a private incident without ever naming it, leaves cancelled ones out, and
explains a period it cannot read."""

from __future__ import annotations

import json

from fakeslack import block_problems
from tests.harness import REPORTER, Harness
from tests.payloads import answer_text

OUTSIDER = "UOUTSIDER1"
SECRET = "Payroll export leaks salaries"


async def stats(harness: Harness, text: str, user: str = OUTSIDER) -> tuple[str, str]:
    status, body = await harness.command(text, user=user)
    assert status == 200
    answer = json.loads(body)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert block_problems(answer.get("blocks", []), surface="message") == []
    return answer_text(body), body


async def test_stats_count_a_private_incident_without_naming_it(harness: Harness) -> None:
    await harness.declare(title=SECRET, severity="SEV1", private=["private"])
    harness.clock.advance(minutes=5)
    public = await harness.declare(title="Search is slow", severity="SEV3")
    harness.clock.advance(minutes=5)
    false_alarm = await harness.declare(title="Probe misfired", severity="SEV2")
    status, _ = await harness.command("cancel the probe was wrong", channel=false_alarm.channel_id)
    assert status == 200
    await harness.settle()
    harness.clock.advance(hours=1)

    text, body = await stats(harness, "stats")
    assert "*Incidents, last 30 days*: 2 (1 private, 2 open)" in text
    assert "SEV1 1, SEV2 0, SEV3 1" in body  # the cancelled SEV2 is left out
    for word in (SECRET, "Payroll", "Search is slow", "Probe", public.reference):
        assert word not in body, word
    # asked by the reporter, who may see it: the answer still names no incident
    text, body = await stats(harness, "stats 7d", user=REPORTER)
    assert "last 7 days" in text and SECRET not in body


async def test_an_unreadable_period_gets_the_usage(harness: Harness) -> None:
    text, _ = await stats(harness, "stats fortnight")
    assert "I can't read `fortnight` as a period" in text
    assert "/incident stats [7d|30d|90d]" in text
    text, _ = await stats(harness, "stats 90D")
    assert "last 90 days" in text and "0 (0 private, 0 open)" in text


async def test_help_lists_stats(harness: Harness) -> None:
    text, _ = await stats(harness, "help")
    assert "/incident stats [7d|30d|90d]" in text
