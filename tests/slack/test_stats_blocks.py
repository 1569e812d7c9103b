"""`/incident stats`: the answer's blocks (golden), and the usage for a bad period."""

from __future__ import annotations

from dataclasses import asdict

from fakeslack.limits import block_problems
from tests.domain.test_report import report_of, sample_report
from tests.golden import assert_golden
from warroom.slack.blocks.stats import stats_message, stats_usage


def test_stats_answer_golden() -> None:
    message = stats_message(sample_report())
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("stats_answer", asdict(message))


def test_an_empty_period_says_so_without_numbers_it_cannot_have() -> None:
    message = stats_message(report_of([]))
    shown = str(message.blocks)
    assert "*Time to resolve*: — (no incident yet)" in shown
    assert "— per incident" in shown and "— (0 of 0" in shown


def test_a_bad_period_gets_the_usage() -> None:
    message = stats_usage("fortnight")
    assert "`fortnight`" in message.text and "/incident stats [7d|30d|90d]" in message.text
