"""`/incident stats [7d|30d|90d]`: the report's figures, privately to whoever asked.

Built from a `Report` alone, which names no incident: a private incident is only
ever a number in a total here.
"""

from __future__ import annotations

from warroom.domain.postmortem_time import human_duration
from warroom.domain.report import Report, Summary
from warroom.domain.report_render import DURATIONS, share
from warroom.slack import mrkdwn
from warroom.slack.blocks.text import mrkdwn_section
from warroom.slack.message import Message

__all__ = ["PERIODS", "STATS_USAGE", "stats_message", "stats_usage"]

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
"""What `/incident stats` accepts, and how many days each means."""
STATS_USAGE = "/incident stats [7d|30d|90d]"
MISSING = "—"


def _span(seconds: float | None) -> str:
    return MISSING if seconds is None else human_duration(int(seconds))


def _figure(label: str, summary: Summary) -> str:
    if summary.count == 0:
        return f"*{label}*: {MISSING} (no incident yet)"
    return (
        f"*{label}*: median {_span(summary.median)}, mean {_span(summary.mean)}, "
        f"p90 {_span(summary.p90)} (over {summary.count})"
    )


def stats_message(report: Report) -> Message:
    updates, items, pms = report.updates, report.action_items, report.postmortems
    head = (
        f"*Incidents, {mrkdwn.escape(report.period.label)}*: {report.incidents} "
        f"({report.private} private, {report.open} open)"
    )
    severities = ", ".join(f"{key} {count}" for key, count in report.by_severity)
    weeks = ", ".join(f"{week.split('-')[1]} {count}" for week, count in report.by_week)
    counts = f"*By severity*: {severities or MISSING}\n*By week*: {weeks or MISSING}"
    times = (
        "\n".join(_figure(label, getattr(report, key)) for key, label, _ in DURATIONS)
        + "\n"
        + _figure("Time to first status update", report.first_update)
    )
    per_incident = report.reminders_per_incident
    process = (
        f"*Status updates posted before they were due*: {share(updates.on_time_share)} "
        f"({updates.on_time} of {updates.with_due}); {updates.late} late; "
        f"{updates.overdue_now} overdue now\n"
        f"*Reminders*: {report.reminders} "
        f"({MISSING if per_incident is None else f'{per_incident:.1f}'} per incident)"
    )
    follow_ups = (
        f"*Action items*: {items.open} open ({items.overdue} overdue), {items.done} done\n"
        f"*Postmortems within {pms.working_days} working days*: {share(pms.on_time_share)} "
        f"({pms.on_time} of {pms.due}; {pms.pending} not due yet)"
    )
    note = (
        f"_Cancelled incidents are left out; weeks are ISO weeks in {report.timezone}. "
        "`warroom report` gives the same figures for any period._"
    )
    blocks = [mrkdwn_section(text).to_dict() for text in (head, counts, times, process)]
    blocks += [mrkdwn_section(follow_ups).to_dict(), mrkdwn_section(note).to_dict()]
    return Message(text=head, blocks=blocks)


def stats_usage(given: str) -> Message:
    """The answer to `/incident stats <something else>`."""
    shown = mrkdwn.escape_within(given, 100)
    text = (
        f"I can't read `{shown}` as a period. Use `{STATS_USAGE}`: the last 7, 30 "
        "(the default) or 90 days."
    )
    section = mrkdwn_section(text)
    return Message(text=text, blocks=[section.to_dict()])
